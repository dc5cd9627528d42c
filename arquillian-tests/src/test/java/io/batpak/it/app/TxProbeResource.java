package io.batpak.it.app;

import io.batpak.ee.BatpakEvents;
import io.batpak.ee.BatpakStore;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBTransactionRequiredException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.transaction.UserTransaction;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Test-only: drives the EJB facade {@link BatpakEvents} inside a real JTA transaction of the
 * server and reports what the store held before the commit and what happened after it.
 */
@Path("_probe/tx")
@RequestScoped
public class TxProbeResource {
    @EJB
    BatpakEvents events;
    @Inject
    BatpakStore store;
    @Inject
    UserTransaction tx;

    /** The store's global sequence (the number of events it holds, bookkeeping included). */
    @GET
    @Path("global")
    @Produces(MediaType.TEXT_PLAIN)
    public String global() {
        return Long.toString(store.engine().globalSequence());
    }

    /**
     * {@code outcome} is {@code commit}, {@code rollback} or {@code none} (no transaction). Answers
     * {@code {"heldBack":bool,"result":"appended:<seq>"|"discarded:<exception>"|"refused:<exception>"}}:
     * heldBack is whether the store's global sequence was unchanged right after the call, still
     * inside the transaction.
     */
    @POST
    @Path("{outcome}")
    @Produces(MediaType.APPLICATION_JSON)
    public String run(@PathParam("outcome") String outcome, String entity) throws Exception {
        AppendRequest request = new AppendRequest(new Coordinate(entity, "tx"), new EventKind(0xF001),
                "{\"tx\":true}".getBytes(StandardCharsets.UTF_8));
        JsonObjectBuilder answer = Json.createObjectBuilder();
        if ("none".equals(outcome)) {
            try {
                events.appendAfterCommit(List.of(request), Caller.ANONYMOUS);
                answer.add("result", "accepted");
            } catch (EJBTransactionRequiredException e) {
                answer.add("result", "refused:" + e.getClass().getSimpleName());
            }
            return answer.build().toString();
        }
        tx.begin();
        long before = store.engine().globalSequence();
        CompletableFuture<List<AppendReceipt>> appended;
        try {
            appended = events.appendAfterCommit(List.of(request), Caller.ANONYMOUS);
            answer.add("heldBack", store.engine().globalSequence() == before);
        } finally {
            if ("commit".equals(outcome)) {
                tx.commit();
            } else {
                tx.rollback();
            }
        }
        try {
            answer.add("result", "appended:" + appended.get(30, TimeUnit.SECONDS).get(0).sequence());
        } catch (ExecutionException e) {
            answer.add("result", "discarded:" + e.getCause().getClass().getSimpleName());
        }
        return answer.build().toString();
    }
}
