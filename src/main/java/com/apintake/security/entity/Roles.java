package com.apintake.security.entity;

import java.util.List;

/**
 * The four roles of ap-intake, as @RolesAllowed names them, as users hold them (user_roles.role)
 * and as PostgreSQL's policies see them (app.roles). An approver may do everything a clerk may:
 * clerk endpoints therefore allow both, {@code @RolesAllowed({Roles.CLERK, Roles.APPROVER})}.
 */
public final class Roles {

    /** Uploads and reads invoices, reads exceptions. */
    public static final String CLERK = "ap-clerk";

    /** What a clerk may, plus resolving exceptions, approving and rejecting, exports, the vendor master and its bank details. */
    public static final String APPROVER = "ap-approver";

    /** Every /api/v1/database/* endpoint, backups, maintenance, reports and the audit trail. */
    public static final String DBA = "dba";

    /**
     * Manages the users of the API and their roles (/api/v1/users). Its own role so that holding dba
     * (or any role) does not let anyone grant themselves more; the first user holds it.
     */
    public static final String USER_ADMIN = "user-admin";

    public static final List<String> ALL = List.of(CLERK, APPROVER, DBA, USER_ADMIN);

    private Roles() {}
}
