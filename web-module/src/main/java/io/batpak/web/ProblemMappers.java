package io.batpak.web;

import io.batpak.ee.DeniedException;
import io.batpak.engine.gate.Denial;
import io.batpak.engine.ConditionFailedException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.SequenceMismatchException;
import io.batpak.engine.StoreException;
import jakarta.json.JsonException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Maps every failure to {@code application/problem+json} with the contract's stable codes. Bad
 * input never becomes a 500: only a failure the server did not expect does, and it is logged. A
 * 500 or 503 never carries exception text (it can hold file paths): its detail is fixed and names an
 * {@code incident} id under which the server log has the cause.
 */
public final class ProblemMappers {
    private static final Logger LOG = System.getLogger(ProblemMappers.class.getName());

    private ProblemMappers() {
    }

    /** The problem for an engine failure. */
    public static Problem forStore(StoreException e) {
        ErrorCode code = e.code();
        return switch (code) {
            case INVALID_REQUEST -> Problem.of(400, code.code(), "Invalid request", e.getMessage());
            case INVALID_COORDINATE -> Problem.of(400, code.code(), "Invalid coordinate", e.getMessage());
            case RESERVED_KIND -> Problem.of(400, code.code(), "Reserved kind", e.getMessage());
            case RESERVED_ENTITY -> Problem.of(400, code.code(), "Reserved entity", e.getMessage());
            case AMBIGUOUS_ENTITY -> Problem.of(400, code.code(), "Ambiguous entity", e.getMessage());
            case PAYLOAD_TOO_LARGE -> Problem.of(413, code.code(), "Payload too large", e.getMessage());
            case SEQUENCE_MISMATCH -> {
                Problem p = Problem.of(409, code.code(), "Sequence mismatch", e.getMessage());
                if (e instanceof SequenceMismatchException m) {
                    p.with("entity", m.entity()).with("expected", m.expected()).with("actual", m.actual());
                }
                yield p;
            }
            case IDEMPOTENCY_KEY_REUSED -> Problem.of(422, code.code(), "Idempotency key reused", e.getMessage());
            case INVALID_TRANSITION -> Problem.of(409, code.code(), "Invalid transition", e.getMessage());
            case RECEIPT_CONSUMED -> Problem.of(409, code.code(), "Receipt already used", e.getMessage());
            case DELIVERY_EXPIRED -> Problem.of(409, code.code(), "Delivery no longer in flight", e.getMessage());
            case CONDITION_FAILED -> {
                Problem p = Problem.of(409, code.code(), "Condition failed", e.getMessage());
                if (e instanceof ConditionFailedException c) {
                    p.with("matched", c.matched());
                }
                yield p;
            }
            case INVALID_PIPELINE -> Problem.of(400, code.code(), "Invalid pipeline", e.getMessage());
            case PIPELINE_EXISTS -> Problem.of(409, code.code(), "Pipeline exists", e.getMessage());
            case INSTANCE_EXISTS -> Problem.of(409, code.code(), "Instance exists", e.getMessage());
            case NOT_FOUND -> Problem.of(404, code.code(), "Not found", e.getMessage());
            case FORBIDDEN -> Problem.of(403, code.code(), "Forbidden", e.getMessage());
            case UNAVAILABLE, INTERRUPTED -> unavailable(e);
            // Exchanges and endpoints (issue 14)
            case TIMEOUT -> Problem.of(504, code.code(), "Timeout", e.getMessage());
            case NO_HANDLER -> Problem.of(503, code.code(), "No handler", e.getMessage()).retryAfter(1);
            case ENDPOINT_BUSY -> Problem.of(503, code.code(), "Endpoint busy", e.getMessage()).retryAfter(1);
            case HANDLER_FAILED -> Problem.of(502, code.code(), "Handler failed", e.getMessage());
            default -> {
                String incident = incident();
                LOG.log(Level.ERROR, "store failure answered with 500, incident " + incident, e);
                yield Problem.of(500, code.code(), "Store failure", "the store failed unexpectedly; the server log"
                        + " has the cause under incident " + incident).with("incident", incident);
            }
        };
    }

    /**
     * 503 for a store that cannot serve now. The engine's message is logged, not answered: it can name
     * the data directory, segment files and the I/O error, which a client must not learn. The
     * incident id ties the answer to the log line.
     */
    private static Problem unavailable(StoreException e) {
        String incident = incident();
        LOG.log(Level.WARNING, "store unavailable, answered 503, incident " + incident + ": " + e.getMessage(), e);
        return Problem.of(503, "unavailable", "Unavailable", "the store cannot serve this request now (shutting down,"
                + " or its writer stopped after a failure); retry later. Incident " + incident)
                .with("incident", incident).retryAfter(1);
    }

    /** A short random id for one logged failure. */
    static String incident() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    /** Engine failures. */
    @Provider
    public static final class StoreFailure implements ExceptionMapper<StoreException> {
        @Override
        public Response toResponse(StoreException e) {
            return forStore(e).response();
        }
    }

    /** The problem for a gate's denial: 422 {@code denied} with the gate's name, code and context. */
    public static Problem forDenial(Denial d) {
        Problem p = Problem.of(422, "denied", "Denied by a gate", d.message()).with("gate", d.gate())
                .with("gateCode", d.code());
        d.context().forEach((k, v) -> p.with("context." + k, v));
        return p;
    }

    /** A gate refused the append. */
    @Provider
    public static final class GateDenial implements ExceptionMapper<DeniedException> {
        @Override
        public Response toResponse(DeniedException e) {
            return forDenial(e.denial()).response();
        }
    }

    /** Refusals raised by the web layer itself. */
    @Provider
    public static final class Refusal implements ExceptionMapper<ProblemException> {
        @Override
        public Response toResponse(ProblemException e) {
            return e.problem().response();
        }
    }

    /** Malformed JSON anywhere in a body. */
    @Provider
    public static final class MalformedJson implements ExceptionMapper<JsonException> {
        @Override
        public Response toResponse(JsonException e) {
            return Problem.invalid("malformed JSON: " + e.getMessage()).response();
        }
    }

    /** The JAX-RS runtime's own refusals (unknown path, method, media types). */
    @Provider
    public static final class Protocol implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
            if (e instanceof NotFoundException) {
                return Problem.of(404, "not-found", "Not found", "no resource at this path").response();
            }
            if (e instanceof NotAllowedException) {
                return Problem.of(405, "method-not-allowed", "Method not allowed", e.getMessage()).response();
            }
            if (e instanceof NotSupportedException) {
                return Problem.of(415, "unsupported-media-type", "Unsupported media type", e.getMessage()).response();
            }
            if (e instanceof NotAcceptableException) {
                return Problem.of(406, "not-acceptable", "Not acceptable", e.getMessage()).response();
            }
            if (status >= 500) {
                String incident = incident();
                LOG.log(Level.ERROR, "request failed, incident " + incident, e);
                return Problem.of(status, "internal-error", "Internal error", "the server failed; the server log has"
                        + " the cause under incident " + incident).with("incident", incident).response();
            }
            return Problem.of(status, status == 400 ? "invalid-request" : "http-" + status, "Request refused",
                    e.getMessage()).response();
        }
    }

    /** Anything else is a server bug: logged, answered as a 500 problem. */
    @Provider
    public static final class Unexpected implements ExceptionMapper<RuntimeException> {
        @Override
        public Response toResponse(RuntimeException e) {
            if (e instanceof StoreException s) {
                return forStore(s).response();
            }
            if (e instanceof DeniedException d) {
                return forDenial(d.denial()).response();
            }
            if (e instanceof ProblemException p) {
                return p.problem().response();
            }
            if (e instanceof JsonException j) {
                return Problem.invalid("malformed JSON: " + j.getMessage()).response();
            }
            if (e instanceof WebApplicationException w) {
                return new Protocol().toResponse(w);
            }
            String incident = incident();
            LOG.log(Level.ERROR, "unexpected failure answered with 500, incident " + incident, e);
            return Problem.of(500, "internal-error", "Internal error", "the server failed unexpectedly; the server"
                    + " log has the cause under incident " + incident).with("incident", incident).response();
        }
    }
}
