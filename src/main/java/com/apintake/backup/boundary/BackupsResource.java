package com.apintake.backup.boundary;

import com.apintake.backup.control.BackupCatalog;
import com.apintake.backup.control.BackupJobs;
import com.apintake.backup.control.WalArchive;
import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupFile;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.TableCount;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.platform.control.ReadSource;
import com.apintake.security.entity.Roles;
import jakarta.annotation.Resource;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * /api/v1/database/backups: list backups, start one (202 + id), follow it, start a restore drill,
 * and read the WAL archiver's state.
 */
@Path("database/backups")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class BackupsResource {

    @Inject
    com.apintake.audit.control.AuditTrail audit;

    /** A backup as listed; usable = SUCCEEDED or VERIFIED, the only ones to restore from. */
    public record BackupView(
            long id,
            String kind,
            String status,
            boolean usable,
            String triggeredBy,
            boolean encrypted,
            String directory,
            Instant startedAt,
            Instant finishedAt,
            Long durationMillis,
            Long sizeBytes,
            String database,
            String serverVersion,
            String toolVersion,
            List<BackupFile> files,
            List<TableCount> tables,
            String walStart,
            String failureReason,
            Instant verifiedAt,
            Long restoreMillis,
            String verifyFailure,
            BackupJobs.Progress progress) {

        static BackupView of(Backup backup, BackupJobs.Progress progress) {
            return new BackupView(
                    backup.id(),
                    backup.kind().label(),
                    backup.status().name(),
                    backup.usable(),
                    backup.triggeredBy(),
                    backup.encrypted(),
                    backup.directory(),
                    backup.startedAt(),
                    backup.finishedAt(),
                    backup.durationMillis(),
                    backup.sizeBytes(),
                    backup.database(),
                    backup.serverVersion(),
                    backup.toolVersion(),
                    backup.files(),
                    backup.tables(),
                    backup.walStart(),
                    backup.failureReason(),
                    backup.verifiedAt(),
                    backup.restoreMillis(),
                    backup.verifyFailure(),
                    progress);
        }
    }

    /** The optional body of POST: which kind of backup. */
    public record BackupRequest(String kind) {}

    public record Accepted(long id, String kind, String status, String href) {}

    @Inject
    BackupJobs jobs;

    @Inject
    ReadSource reads;

    @Inject
    com.apintake.platform.boundary.PublicLinks links;

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Operation(summary = "Backups, newest first, by kind and usability")
    @ProblemResponses({"400"})
    @GET
    public List<BackupView> list(
            @QueryParam("kind") String kind,
            @QueryParam("usable") @DefaultValue("false") boolean usableOnly,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be between 1 and 1000");
        }
        BackupKind wanted = kind == null || kind.isBlank() ? null : kind(kind);
        try {
            // A read-only list page: the replica when in sync and it has replayed the caller's own last write
            // (a backup just started), else the primary (ReadSource); progress is this instance's.
            return reads.read(connection -> BackupCatalog.list(connection, wanted, usableOnly, limit)).stream()
                    .map(backup ->
                            BackupView.of(backup, jobs.progress(backup.id()).orElse(null)))
                    .toList();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the backups table failed", e);
        }
    }

    /** Body (optional): {"kind": "full" | "schema" | "data" | "critical" | "base"}; full when absent. */
    @Operation(summary = "Start a backup (full, schema, data, critical or base); 202 with its location")
    @ProblemResponses({"400", "409"})
    @POST
    public Response start(BackupRequest body, @jakarta.ws.rs.core.Context UriInfo uri) {
        BackupKind kind = kind(body == null || body.kind() == null ? "full" : body.kind());
        BackupJobs.Started started = refusedAsProblem(() -> jobs.backup(kind, "api"));
        audit.record("backup.start", "backup " + started.id(), kind.label());
        return accepted(uri, started.id(), kind.label(), "RUNNING");
    }

    @Operation(summary = "One backup with its manifest, and its progress while it runs")
    @ProblemResponses({"404"})
    @GET
    @Path("{id: [0-9]+}")
    public BackupView one(@PathParam("id") long id) {
        try {
            Backup backup =
                    jobs.catalog().find(id).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND, "no backup " + id));
            return BackupView.of(backup, jobs.progress(id).orElse(null));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the backups table failed", e);
        }
    }

    /** Starts a restore drill of the backup: 202, then its row turns VERIFIED (or records verifyFailure). */
    @Operation(summary = "Start a restore drill of a backup; it turns VERIFIED with the restore time")
    @ProblemResponses({"404", "409"})
    @POST
    @Path("{id: [0-9]+}/verify")
    public Response verify(@PathParam("id") long id, @jakarta.ws.rs.core.Context UriInfo uri) {
        refusedAsProblem(() -> jobs.verify(id, "api"));
        audit.record("backup.verify", "backup " + id, "restore drill started");
        return accepted(uri, id, null, "VERIFYING");
    }

    /** pg_stat_archiver and the archive lag: how much a crash now could lose. */
    @Operation(summary = "The WAL archive: archived and failed counts, last segment, lag")
    @GET
    @Path("wal")
    public WalArchive.Status wal() {
        try {
            return WalArchive.status(dataSource);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading pg_stat_archiver failed", e);
        }
    }

    private Response accepted(UriInfo uri, long id, String kind, String status) {
        URI location = links.api(uri, "database/backups/" + id);
        return Response.accepted(new Accepted(id, kind, status, location.getPath()))
                .location(location)
                .type(MediaType.APPLICATION_JSON)
                .build();
    }

    private static <T> T refusedAsProblem(java.util.function.Supplier<T> job) {
        try {
            return job.get();
        } catch (BackupJobs.Refused refused) {
            Response.Status status = switch (refused.reason()) {
                case TOOLS_MISSING, KEY_MISSING -> Response.Status.SERVICE_UNAVAILABLE;
                case BUSY, NOT_VERIFIABLE -> Response.Status.CONFLICT;
                case NOT_FOUND -> Response.Status.NOT_FOUND;
            };
            throw Problem.of(status, refused.getMessage());
        }
    }

    private static BackupKind kind(String text) {
        try {
            return BackupKind.parse(text);
        } catch (IllegalArgumentException e) {
            throw Problem.of(Response.Status.BAD_REQUEST, e.getMessage());
        }
    }
}
