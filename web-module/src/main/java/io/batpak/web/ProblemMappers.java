package io.batpak.web;

import io.batpak.ee.DeniedException;
import io.batpak.engine.Denial;
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

/**
 * Maps every failure to {@code application/problem+json} with the contract's stable codes. Bad
 * input never becomes a 500: only a failure the server did not expect does, and it is logged.
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
            case NOT_FOUND -> Problem.of(404, code.code(), "Not found", e.getMessage());
            case FORBIDDEN -> Problem.of(403, code.code(), "Forbidden", e.getMessage());
            case UNAVAILABLE, INTERRUPTED -> Problem.of(503, "unavailable", "Unavailable", e.getMessage()).retryAfter(1);
            default -> {
                LOG.log(Level.ERROR, "store failure answered with 500", e);
                yield Problem.of(500, code.code(), "Store failure", e.getMessage());
            }
        };
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
                LOG.log(Level.ERROR, "request failed", e);
                return Problem.of(status, "internal-error", "Internal error", e.getMessage()).response();
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
            LOG.log(Level.ERROR, "unexpected failure answered with 500", e);
            return Problem.of(500, "internal-error", "Internal error", e.getClass().getSimpleName()).response();
        }
    }
}
