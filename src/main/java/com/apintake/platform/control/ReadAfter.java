package com.apintake.platform.control;

import jakarta.enterprise.context.RequestScoped;
import java.util.regex.Pattern;

/**
 * Read-your-writes: the WAL position (a pg_lsn, e.g. 0/3A2B1C8) this request's reads must see, because
 * its client made a write that ended there. The client got it with its write (header X-Read-After and a
 * cookie) and sends it back; a replica that has not replayed up to it is passed over for the primary.
 */
@RequestScoped
public class ReadAfter {

    private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    private String lsn;

    public static boolean valid(String value) {
        return value != null && LSN.matcher(value).matches();
    }

    public void lsn(String position) {
        if (!valid(position)) {
            throw new IllegalArgumentException("not a WAL position");
        }
        lsn = position;
    }

    /** The position to have been replayed, or null when the client made no recent write. */
    public String lsn() {
        return lsn;
    }
}
