#!/usr/bin/env bash
# Renders the asadmin command file for one environment (dev, test or prod) to standard output.
#   server-config/render.sh prod > prod.asadmin && asadmin multimode --file prod.asadmin
# Each @NAME@ is the environment variable NAME when set, else the file's "#@default NAME=value" line. The pool's max size is DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW.
# DB_READ_HOST / DB_READ_PORT (the read pool's replica) default to DB_HOST / DB_PORT.
# DB_PASSWORD is not rendered: the pool reads it from the server's environment at runtime.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
env_name=${1:?usage: render.sh dev|test|prod}
commands="$here/$env_name.asadmin"
[ -f "$commands" ] || { echo "render.sh: unknown environment '$env_name' (no $commands)" >&2; exit 2; }

declare -A value
while IFS='=' read -r key default; do
  key=${key#\#@default }
  value[$key]=${!key-$default}
done < <(grep '^#@default ' "$commands")

fail() { echo "render.sh: $*" >&2; exit 2; }
# The read pool (ApIntakeReadPool) points at the primary unless DB_READ_HOST / DB_READ_PORT name a replica.
[ -n "${value[DB_READ_HOST]-}" ] || value[DB_READ_HOST]=${value[DB_HOST]}
[ -n "${value[DB_READ_PORT]-}" ] || value[DB_READ_PORT]=${value[DB_PORT]}
for key in DATABASE_POOL_SIZE DATABASE_MAX_OVERFLOW DATABASE_POOL_TIMEOUT DATABASE_POOL_RECYCLE \
           DATABASE_POOL_LEAK_TIMEOUT DATABASE_STATEMENT_TIMEOUT DATABASE_STATEMENT_LEAK_TIMEOUT DB_PORT DB_READ_PORT; do
  [[ "${value[$key]}" =~ ^[0-9]+$ ]] || fail "$key must be a whole number, got '${value[$key]}'"
done
[[ "${value[DATABASE_SLOW_QUERY_SECONDS]}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "DATABASE_SLOW_QUERY_SECONDS must be a number of seconds"
case "${value[DATABASE_POOL_PRE_PING],,}" in
  true|false) value[DATABASE_POOL_PRE_PING]=${value[DATABASE_POOL_PRE_PING],,} ;;
  *) fail "DATABASE_POOL_PRE_PING must be true or false" ;;
esac
for key in DB_HOST DB_READ_HOST DB_NAME DB_USER DB_SSL_ROOT_CERT; do
  # asadmin separates pool properties with ':' and ends the value at a space.
  [[ "${value[$key]}" =~ [:[:space:]] ]] && fail "$key must not contain ':' or spaces"
done

value[ENVIRONMENT]=$env_name
value[DATABASE_POOL_MAX]=$(( value[DATABASE_POOL_SIZE] + value[DATABASE_MAX_OVERFLOW] ))
value[DATABASE_POOL_TIMEOUT_MILLIS]=$(( value[DATABASE_POOL_TIMEOUT] * 1000 ))
# Grow the pool in steps of a fifth of the steady size (at least 1).
resize=$(( value[DATABASE_POOL_SIZE] / 5 )); (( resize < 1 )) && resize=1
value[DATABASE_POOL_RESIZE]=$resize
case "${value[DB_SSL_MODE]}" in
  disable) value[DB_SSL_PROPERTIES]=":sslmode=disable" ;;
  require|verify-ca|verify-full)
    value[DB_SSL_PROPERTIES]=":ssl=true:sslmode=${value[DB_SSL_MODE]}"
    [ -n "${value[DB_SSL_ROOT_CERT]}" ] && value[DB_SSL_PROPERTIES]+=":sslrootcert=${value[DB_SSL_ROOT_CERT]}"
    ;;
  *) fail "DB_SSL_MODE must be disable, require, verify-ca or verify-full" ;;
esac

template=$(grep -v '^#@default ' "$commands")
for key in "${!value[@]}"; do
  template=${template//@$key@/${value[$key]}}
done
if [[ "$template" =~ @[A-Z_]+@ ]]; then fail "unrendered placeholder ${BASH_REMATCH[0]}"; fi
printf '# Rendered by server-config/render.sh %s\n%s\n' "$env_name" "$template"
