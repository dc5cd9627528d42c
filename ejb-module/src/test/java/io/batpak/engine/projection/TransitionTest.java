package io.batpak.engine.projection;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Freshness;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Typestate transitions on a small document machine, Draft -> Published -> Archived (a Draft may
 * also be retitled or discarded straight to Archived, which shares Archive's kind): the valid path
 * appends one event per move and replays by kind; an invalid move does not compile.
 */
class TransitionTest {
    static final EventKind RETITLED = EventKind.of(0xA, 1);
    static final EventKind PUBLISHED = EventKind.of(0xA, 2);
    static final EventKind ARCHIVED = EventKind.of(0xA, 3);

    sealed interface Doc permits Draft, Published, Archived {
    }

    record Draft(String title) implements Doc {
    }

    record Published(String title, long publishedAtSequence) implements Doc {
    }

    record Archived(String title) implements Doc {
    }

    static final Edge<Draft, Draft> RETITLE = Edge.of(Draft.class, Draft.class, RETITLED);
    static final Edge<Draft, Published> PUBLISH = Edge.of(Draft.class, Published.class, PUBLISHED);
    static final Edge<Published, Archived> ARCHIVE = Edge.of(Published.class, Archived.class, ARCHIVED);
    static final Edge<Draft, Archived> DISCARD = Edge.of(Draft.class, Archived.class, ARCHIVED);

    static final StateMachineProjection<Doc> MACHINE = StateMachineProjection.<Doc>builder("doc", 1, new Draft(""))
            .on(RETITLE, (d, e) -> new Draft(new String(e.payload(), StandardCharsets.UTF_8)))
            .on(PUBLISH, (d, e) -> new Published(d.title(), e.sequence()))
            .on(ARCHIVE, (p, e) -> new Archived(p.title()))
            .on(DISCARD, (d, e) -> new Archived(d.title()))
            .build();

    private static final Coordinate DOC = new Coordinate("doc:1", "docs");
    private static final byte[] NONE = new byte[0];

    @TempDir
    Path dir;
    private EventStore store;
    private Projector projector;

    private EventStore store() {
        store = EventStore.open(StoreConfig.defaults(dir));
        projector = new Projector(store, new LruProjectionCache(16));
        return store;
    }

    @AfterEach
    void close() {
        if (projector != null) {
            projector.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private ProjectionResult<Doc> current() {
        return projector.project(DOC.entity(), MACHINE, Freshness.CONSISTENT);
    }

    @Test
    void validPathAppendsOneEventPerMoveAndReplaysTheStatesByKind() {
        EventStore s = store();
        ProjectionResult<Doc> r = current();
        Draft draft = assertInstanceOf(Draft.class, r.state(), "a new entity starts in the initial state");
        AppendReceipt retitled = s.apply(DOC, RETITLE.from(draft, "Hello".getBytes(StandardCharsets.UTF_8))
                .expectingSequence(r.watermark()));
        assertEquals(0, retitled.sequence());

        r = current();
        Draft titled = assertInstanceOf(Draft.class, r.state());
        assertEquals("Hello", titled.title(), "RETITLED must replay to a Draft with the payload as title");
        s.apply(DOC, PUBLISH.from(titled, NONE).expectingSequence(r.watermark()));

        r = current();
        Published published = assertInstanceOf(Published.class, r.state(), "PUBLISHED must replay to Published");
        assertEquals(new Published("Hello", 1), published);
        AppendReceipt last = s.apply(DOC, ARCHIVE.from(published, NONE).expectingSequence(r.watermark()));
        assertEquals(2, last.sequence());

        assertEquals(new ProjectionResult<Doc>(new Archived("Hello"), 2), current());
        assertEquals(List.of(RETITLED, PUBLISHED, ARCHIVED),
                s.readEntity(EntityQuery.of(DOC.entity()).withLimit(10)).stream().map(StoredEvent::kind).toList(),
                "each move must append exactly one event of its edge's kind");
        Projector fresh = new Projector(s, NoCache.INSTANCE);
        assertEquals(new Archived("Hello"), fresh.project(DOC.entity(), MACHINE, Freshness.CONSISTENT).state(),
                "a full replay from the log must reach the same state");
    }

    @Test
    void aKindSharedByTwoEdgesFollowsTheOneFromTheCurrentState() {
        EventStore s = store();
        s.apply(DOC, DISCARD.from((Draft) current().state(), NONE));
        assertEquals(new Archived(""), current().state(), "ARCHIVED from a Draft must follow DISCARD");
    }

    @Test
    void aMoveFromAStaleStateIsRefusedWhenItExpectsItsSequence() {
        EventStore s = store();
        ProjectionResult<Doc> r = current();
        Draft draft = (Draft) r.state();
        s.apply(DOC, PUBLISH.from(draft, NONE).expectingSequence(r.watermark()));
        StoreException e = assertThrows(StoreException.class,
                () -> s.apply(DOC, DISCARD.from(draft, NONE).expectingSequence(r.watermark())));
        assertEquals(ErrorCode.SEQUENCE_MISMATCH, e.code(), "the draft was published meanwhile: " + e.getMessage());
        assertEquals(1, s.lastSequence(EntityQuery.of(DOC.entity())) + 1, "the refused move must not be appended");
    }

    @Test
    void replayFailsOnAnEventNoEdgeAllowsFromTheCurrentState() {
        EventStore s = store();
        s.append(DOC, PUBLISHED, NONE);
        s.append(DOC, PUBLISHED, NONE);
        StoreException e = assertThrows(StoreException.class, this::current);
        assertEquals(ErrorCode.INVALID_TRANSITION, e.code());
        assertTrue(e.getMessage().contains("sequence 1"), "the error must name the offending sequence: " + e.getMessage());
    }

    @Test
    void otherKindsAreNotPartOfTheMachine() {
        EventStore s = store();
        assertEquals(java.util.Set.of(RETITLED, PUBLISHED, ARCHIVED), MACHINE.kinds());
        s.append(DOC, EventKind.of(0xB, 1), NONE);
        assertEquals(new ProjectionResult<Doc>(new Draft(""), 0), current(), "an unrelated kind leaves the state");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void edgesAndMachinesRefuseWhatTheCompilerCannotSee() {
        Edge raw = PUBLISH;
        StoreException wrongState = assertThrows(StoreException.class, () -> raw.from(new Archived("x"), NONE));
        assertEquals(ErrorCode.INVALID_REQUEST, wrongState.code(), "a raw call with another state must be refused");
        assertEquals(ErrorCode.RESERVED_KIND, assertThrows(StoreException.class,
                () -> Edge.of(Draft.class, Draft.class, new EventKind(0x0001))).code());
        assertThrows(StoreException.class, () -> StateMachineProjection.<Doc>builder("doc", 1, new Draft(""))
                .on(ARCHIVE, (p, e) -> new Archived(""))
                .on(Edge.of(Published.class, Archived.class, ARCHIVED), (p, e) -> new Archived("")),
                "two edges of one kind from one state would make replay ambiguous");
    }

    @Test
    void anInvalidMoveDoesNotCompile() throws URISyntaxException {
        String valid = "Transition<Draft, Published> t = PUBLISH.from(new Draft(\"a\"), new byte[0]);";
        assertEquals("", compile(valid), "the valid move must compile, or the check below proves nothing");
        String invalid = "Transition<Published, Archived> t = ARCHIVE.from(new Draft(\"a\"), new byte[0]);";
        String errors = compile(invalid);
        assertTrue(errors.contains("incompatible types") || errors.contains("cannot be applied"),
                "archiving a Draft must be a type error, got: " + (errors.isEmpty() ? "no error" : errors));
    }

    /** Compiles {@code statement} inside a method of a class in this package and returns the error messages. */
    private String compile(String statement) throws URISyntaxException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests need a JDK, not a JRE");
        String source = "package io.batpak.engine.projection;\nimport static io.batpak.engine.projection.TransitionTest.*;\n"
                + "class Snippet { void run() { " + statement + " } }\n";
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///io/batpak/engine/projection/Snippet.java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        String classpath = location(Edge.class) + java.io.File.pathSeparator + location(TransitionTest.class);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        javac.getTask(new StringWriter(), null, diagnostics,
                List.of("-classpath", classpath, "-d", dir.toString(), "-proc:none"), null, List.of(file)).call();
        StringBuilder out = new StringBuilder();
        diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR)
                .forEach(d -> out.append(d.getMessage(null)).append('\n'));
        return out.toString();
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
