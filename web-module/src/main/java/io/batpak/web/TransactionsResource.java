package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.AppendJson;
import io.batpak.ee.BatpakStreams;
import io.batpak.ee.EventJson;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.streams.TxAck;
import io.batpak.streams.TxResult;
import io.batpak.streams.TxStatement;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/**
 * {@code /transactions}: statements gathered under a transaction id and committed, with an optional
 * ack of deliveries, as one atomic batch. A committed, aborted or expired transaction is 404
 * {@code not-found}; an ack of a delivery no longer in flight is 409 {@code delivery-expired} and
 * aborts the transaction.
 */
// Jersey answers an Accept outside these with 406 (ProblemMappers) before the method runs.
@Produces({MediaType.APPLICATION_JSON, MsgpackJson.MEDIA_TYPE, CloudEventsCodec.STRUCTURED, Problem.MEDIA_TYPE})
@Path("transactions")
@ApplicationScoped
public class TransactionsResource extends StreamApiResource {
    @Inject
    BatpakStreams streams;

    @POST
    @RolesAllowed(StreamAccess.WRITER)
    public Response begin() {
        Caller caller = caller(StreamAccess.WRITER);
        return json(201, JSON.createObjectBuilder().add("txId", streams.get().begin(caller)).build());
    }

    @POST
    @Path("{tx}/events")
    @RolesAllowed(StreamAccess.WRITER)
    public Response add(@PathParam("tx") String tx, InputStream in,
                        @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        JsonObject o = body(in, contentLength, false);
        TxStatement statement;
        String stream = StreamBodies.optionalString(o, "stream");
        if (stream != null) {
            StreamAccess.write(caller, stream);
            statement = new TxStatement.Publish(stream, StreamBodies.event(o));
        } else {
            AppendRequest r = AppendJson.parse(o, null);
            StreamAccess.write(caller, r.coordinate().scope());
            statement = new TxStatement.Append(r);
        }
        streams.get().add(tx, statement, caller);
        return json(200, JSON.createObjectBuilder().add("txId", tx).build());
    }

    @POST
    @Path("{tx}/commit")
    @RolesAllowed(StreamAccess.WRITER)
    public Response commit(@PathParam("tx") String tx, InputStream in,
                           @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        JsonObject o = body(in, contentLength, true);
        TxAck ack = null;
        JsonValue a = o.get("ack");
        if (a instanceof JsonObject ackBody) {
            String stream = StreamBodies.requiredString(ackBody, "stream");
            StreamAccess.write(caller, stream);
            ack = new TxAck(stream, StreamBodies.requiredString(ackBody, "group"), StreamBodies.ids(ackBody));
        } else if (a != null && a.getValueType() != JsonValue.ValueType.NULL) {
            throw new ProblemException(Problem.invalid("field 'ack' must be an object"));
        }
        TxResult r = streams.get().commit(tx, ack, caller);
        JsonArrayBuilder receipts = JSON.createArrayBuilder();
        for (AppendReceipt receipt : r.receipts()) {
            receipts.add(EventJson.receipt(receipt));
        }
        JsonArrayBuilder published = JSON.createArrayBuilder();
        r.published().forEach(p -> published.add(StreamBodies.published(p)));
        return json(200, JSON.createObjectBuilder().add("txId", tx).add("committed", true).add("receipts", receipts)
                .add("published", published).add("acked", r.acked()).build());
    }

    @DELETE
    @Path("{tx}")
    @RolesAllowed(StreamAccess.WRITER)
    public Response abort(@PathParam("tx") String tx) {
        Caller caller = caller(StreamAccess.WRITER);
        streams.get().abort(tx, caller);
        return Response.noContent().build();
    }
}
