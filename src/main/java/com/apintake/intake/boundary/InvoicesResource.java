package com.apintake.intake.boundary;

import com.apintake.exceptions.control.ExceptionRecords;
import com.apintake.intake.control.Intake;
import com.apintake.intake.control.InvoiceDecisions;
import com.apintake.intake.control.Invoices;
import com.apintake.intake.entity.InvoiceView;
import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.platform.boundary.IgnoredMembers;
import com.apintake.platform.boundary.Input;
import com.apintake.platform.boundary.Inputs;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.platform.boundary.PublicLinks;
import com.apintake.security.control.Caller;
import com.apintake.security.entity.Roles;
import com.apintake.validation.control.ValidationRecords;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityPart;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * /api/v1/invoices: upload invoice files and follow them through the workflow. One instance for the
 * application: it holds no request state (the request's UriInfo comes in as a method parameter), and a
 * per-request instance cost the upload path a CDI injection of every field per request (docs/intake.md).
 */
@ApplicationScoped
@Path("invoices")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.CLERK, Roles.APPROVER})
public class InvoicesResource {

    /** One page of invoices; next is the URL of the following page, absent on the last one. */
    public record Page(List<InvoiceView> items, String next) {}

    /** Why: the optional body of approve and reject. Who decides is the authenticated user. */
    @IgnoredMembers("by")
    public record Decision(
            @Input(max = Inputs.FREE_TEXT_MAX, multiline = true)
            String reason) {}

    @Inject
    Intake intake;

    @Inject
    Invoices invoices;

    @Inject
    InvoiceDecisions decisions;

    @Inject
    ValidationRecords validations;

    @Inject
    ExceptionRecords exceptions;

    @Inject
    Caller caller;

    @Inject
    @ConfigProperty(name = "apintake.intake.max-bytes", defaultValue = "10485760")
    long maxBytes;

    @Inject
    PublicLinks links;

    /** The raw file as the body: application/xml, application/pdf, ... (the format is read from the bytes). */
    @Operation(summary = "Upload one invoice file (UBL, CII, Factur-X PDF) as the raw body; 201 new, 200 known file")
    @ProblemResponses({"400", "413", "415", "422"})
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response upload(
            InputStream body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam("Content-Disposition") String disposition,
            @HeaderParam("Prefer") String prefer,
            @QueryParam("filename") String filename,
            @Context UriInfo uriInfo) {
        String name = Inputs.text("filename", filename != null ? filename : filenameOf(disposition), 255);
        String type = accepted(contentType);
        byte[] bytes = readLimited(body);
        return respondAsync(prefer)
                ? accepted(uriInfo, intake.accept(bytes, name, type))
                : created(uriInfo, intake.receive(bytes, name, type));
    }

    /** A form upload with the file in the field "file". */
    @Operation(summary = "Upload one invoice file as multipart/form-data field 'file'; 201 new, 200 known file")
    @ProblemResponses({"400", "413", "415", "422"})
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response uploadForm(
            @FormParam("file") EntityPart file, @HeaderParam("Prefer") String prefer, @Context UriInfo uriInfo) {
        if (file == null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "The multipart form needs the invoice in the field 'file'.");
        }
        String type = accepted(
                file.getMediaType() == null ? null : file.getMediaType().toString());
        String name = Inputs.text("filename", file.getFileName().orElse(null), 255);
        byte[] bytes = readLimited(file.getContent());
        return respondAsync(prefer)
                ? accepted(uriInfo, intake.accept(bytes, name, type))
                : created(uriInfo, intake.receive(bytes, name, type));
    }

    @Operation(summary = "Invoices, newest first, filtered by workflow status, vendor and period, keyset paging")
    @ProblemResponses({"400"})
    @GET
    public Page list(
            @QueryParam("workflowStatus") String workflowStatus,
            @QueryParam("vendorId") Long vendorId,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("after") Long after,
            @QueryParam("limit") @DefaultValue("50") int limit,
            @Context UriInfo uriInfo) {
        if (limit < 1 || limit > 500) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be between 1 and 500.");
        }
        var items = invoices.list(new Invoices.Query(
                status(workflowStatus),
                vendorId,
                Inputs.dateOrDateTime("from", from),
                Inputs.dateOrDateTime("to", to),
                after,
                limit));
        String next = items.size() < limit
                ? null
                : links.withQuery(uriInfo, "after", items.get(items.size() - 1).id());
        return new Page(items, next);
    }

    @Operation(summary = "One invoice")
    @ProblemResponses({"404"})
    @GET
    @Path("{id}")
    public InvoiceView get(@PathParam("id") long id) {
        return invoices.find(id).orElseThrow(() -> notFound(id));
    }

    /**
     * The original bytes, exactly as received, served as what the server detected (XML or PDF) and
     * always as a download: a file a clerk uploaded must never run as a page on the API's origin.
     */
    @Operation(summary = "The original file as received, as a download of the detected type (XML or PDF)")
    @ProblemResponses({"404"})
    @GET
    @Path("{id}/document")
    @Produces(MediaType.WILDCARD)
    public Response document(@PathParam("id") long id) {
        var document = invoices.document(id).orElseThrow(() -> notFound(id));
        return Response.ok(document.content(), document.contentType())
                .header("Content-Disposition", attachment(id, document))
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "default-src 'none'; sandbox")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .build();
    }

    /** The stored name in ASCII (quoted) and in full (RFC 5987), or invoice-<id>.xml/.pdf when there is none. */
    static String attachment(long id, Invoices.Document document) {
        String extension = document.contentType().equals("application/pdf") ? ".pdf" : ".xml";
        String name = document.filename() == null || document.filename().isBlank()
                ? "invoice-" + id + extension
                : document.filename();
        String ascii = name.replaceAll("[^A-Za-z0-9._ ()+-]", "_");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''"
                + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)
                        .replace("+", "%20")
                        .replace("*", "%2A");
    }

    /** Uploads declared as XML, PDF or plain bytes (or undeclared); the format itself is always detected from the bytes. */
    static final java.util.Set<String> ACCEPTED_TYPES =
            java.util.Set.of("application/xml", "text/xml", "application/pdf", "application/octet-stream");

    private static String accepted(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return "application/octet-stream";
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!ACCEPTED_TYPES.contains(type)) {
            throw Problem.of(
                    Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "Send the invoice as application/xml, text/xml, application/pdf or application/octet-stream;"
                            + " the format is read from the file itself.");
        }
        return type;
    }

    @Operation(summary = "The extracted fields with their confidence")
    @ProblemResponses({"404"})
    @GET
    @Path("{id}/extraction")
    public JsonObject extraction(@PathParam("id") long id) {
        return validations.extraction(id).orElseThrow(() -> notFound(id));
    }

    @Operation(summary = "Every validation of the invoice with its rule and finding")
    @ProblemResponses({"404"})
    @GET
    @Path("{id}/validations")
    public List<ValidationRecords.Result> validations(@PathParam("id") long id) {
        get(id);
        return validations.of(id);
    }

    @Operation(summary = "The invoice's exceptions")
    @ProblemResponses({"404"})
    @GET
    @Path("{id}/exceptions")
    public List<ExceptionRecords.Record> exceptions(@PathParam("id") long id) {
        get(id);
        return exceptions.ofInvoice(id);
    }

    @Operation(summary = "Approve the invoice and stage it for export (only in PENDING_APPROVAL, otherwise 409)")
    @ProblemResponses({"404", "409"})
    @POST
    @Path("{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    public InvoiceView approve(@PathParam("id") long id, Decision decision) {
        decisions.approve(id, caller.name());
        return get(id);
    }

    @Operation(summary = "Reject the invoice with an optional reason (409 once decided or exported)")
    @ProblemResponses({"404", "409"})
    @POST
    @Path("{id}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    public InvoiceView reject(@PathParam("id") long id, Decision decision) {
        decisions.reject(id, caller.name(), decision == null ? null : decision.reason());
        return get(id);
    }

    private Response created(UriInfo uriInfo, Intake.Receipt receipt) {
        var location = links.api(uriInfo, "invoices/" + receipt.invoice().id());
        return (receipt.created() ? Response.created(location) : Response.ok().location(location))
                .entity(receipt.invoice())
                .build();
    }

    /** RFC 7240: "Prefer: respond-async" (among other preferences, any case). */
    static boolean respondAsync(String prefer) {
        return prefer != null
                && java.util.Arrays.stream(prefer.split(","))
                        .map(p -> p.strip().split(";")[0].strip())
                        .anyMatch("respond-async"::equalsIgnoreCase);
    }

    /** 202 with the invoice as RECEIVED, or 200 with the earlier invoice when the file is known. */
    private Response accepted(UriInfo uriInfo, Intake.Receipt receipt) {
        var location = links.api(uriInfo, "invoices/" + receipt.invoice().id());
        return (receipt.created() ? Response.accepted() : Response.ok())
                .location(location)
                .header("Preference-Applied", "respond-async")
                .entity(receipt.invoice())
                .build();
    }

    private byte[] readLimited(InputStream body) {
        try (InputStream in = body) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw Problem.of(
                        Response.Status.REQUEST_ENTITY_TOO_LARGE,
                        "An invoice file may have at most " + maxBytes + " bytes.");
            }
            if (bytes.length == 0) {
                throw Problem.of(Response.Status.BAD_REQUEST, "The request has no invoice file in its body.");
            }
            return bytes;
        } catch (IOException e) {
            throw Problem.of(Response.Status.BAD_REQUEST, "The upload could not be read: " + e.getMessage());
        }
    }

    static String filenameOf(String disposition) {
        if (disposition == null) {
            return null;
        }
        var matcher =
                java.util.regex.Pattern.compile("filename=\"?([^\";]+)\"?").matcher(disposition);
        return matcher.find() ? matcher.group(1).strip() : null;
    }

    private static WorkflowStatus status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return WorkflowStatus.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    "Unknown workflowStatus '" + value + "'; one of "
                            + java.util.Arrays.toString(WorkflowStatus.values()) + ".");
        }
    }

    private static RuntimeException notFound(long id) {
        return Problem.of(Response.Status.NOT_FOUND, "No invoice " + id + ".");
    }
}
