package com.apintake.security.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;

/**
 * The identity store, for code that logs in through Jakarta Security's IdentityStoreHandler: users
 * and roles from the database, checked by {@link CredentialCheck} (with the login backoff per user
 * name; the client address is not known here, so callers that know it call CredentialCheck directly,
 * as BasicAuthentication does). A throttled login answers INVALID here.
 */
@ApplicationScoped
public class UserStore implements IdentityStore {

    @Inject
    CredentialCheck credentials;

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (!(credential instanceof UsernamePasswordCredential login)) {
            return CredentialValidationResult.NOT_VALIDATED_RESULT;
        }
        return credentials.check(login.getCaller(), login.getPassword().getValue(), null)
                        instanceof CredentialCheck.Valid valid
                ? valid.result()
                : CredentialValidationResult.INVALID_RESULT;
    }

    /** Called when a user changes: the next request checks the password against the database again. */
    public void forget(String username) {
        credentials.forget(username);
    }
}
