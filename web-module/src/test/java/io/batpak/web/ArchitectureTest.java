package io.batpak.web;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package layout as build-breaking rules (after Kafka's import-control): the layers
 * engine ← streams ← ee ← web, plain Java below ee, the engine's internals hidden from the layers
 * above it, each engine package using only what its {@code package-info.java} says, and no
 * package cycles.
 *
 * <p>It lives in the web module's tests because that is the one classpath holding every
 * production class at once: the ejb module (engine, streams, ee) as a dependency and the web
 * classes themselves; the arquillian-tests module would see them too, but only through the
 * deployed archives it builds, and its unit phase runs far less often. Test classes are left
 * out: tests may reach into internals to check them.
 */
@AnalyzeClasses(packages = "io.batpak", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] ENGINE_INTERNALS = {
        "io.batpak.engine.log..", "io.batpak.engine.index..", "io.batpak.engine.subscription..",
        "io.batpak.engine.retention.."};

    /** engine ← streams ← ee ← web: a layer may use only the layers below it. */
    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("engine").definedBy("io.batpak.engine..")
            .layer("streams").definedBy("io.batpak.streams..")
            .layer("ee").definedBy("io.batpak.ee..")
            .layer("web").definedBy("io.batpak.web..")
            .whereLayer("web").mayNotBeAccessedByAnyLayer()
            .whereLayer("ee").mayOnlyBeAccessedByLayers("web")
            .whereLayer("streams").mayOnlyBeAccessedByLayers("ee", "web");

    /** The engine and streams are plain Java so they run (and are tested) outside a container. */
    @ArchTest
    static final ArchRule engineAndStreamsArePlainJava = noClasses()
            .that().resideInAnyPackage("io.batpak.engine..", "io.batpak.streams..")
            .should().dependOnClassesThat().resideInAnyPackage("jakarta..", "org.eclipse.microprofile..")
            .because("the engine and streams must not need a Jakarta EE container");

    /** Above the engine only its API packages are used: the facade, value types, projections, gates, util. */
    @ArchTest
    static final ArchRule engineInternalsStayInside = noClasses()
            .that().resideInAnyPackage("io.batpak.streams..", "io.batpak.ee..", "io.batpak.web..")
            .should().dependOnClassesThat().resideInAnyPackage(ENGINE_INTERNALS)
            .because("log, index, subscription and retention are the engine's implementation, reached through EventStore");

    /** The index is a data structure: it knows nothing of the log, the tail, projections or gates. */
    @ArchTest
    static final ArchRule indexUsesOnlyApiAndUtil = noClasses()
            .that().resideInAPackage("io.batpak.engine.index..")
            .should().dependOnClassesThat().resideInAnyPackage("io.batpak.engine.log..",
                    "io.batpak.engine.subscription..", "io.batpak.engine.projection..", "io.batpak.engine.gate..");

    /** Live reads sit on the index; the log feeds them, never the other way round. */
    @ArchTest
    static final ArchRule subscriptionDoesNotUseLog = noClasses()
            .that().resideInAPackage("io.batpak.engine.subscription..")
            .should().dependOnClassesThat().resideInAnyPackage("io.batpak.engine.log..",
                    "io.batpak.engine.projection..", "io.batpak.engine.gate..");

    /** The log writes what gates passed and projections read; it depends on neither. */
    @ArchTest
    static final ArchRule logDoesNotUseProjectionsOrGates = noClasses()
            .that().resideInAPackage("io.batpak.engine.log..")
            .should().dependOnClassesThat().resideInAnyPackage("io.batpak.engine.projection..",
                    "io.batpak.engine.gate..");

    /** Gates judge requests; they need the API, not the implementation. */
    @ArchTest
    static final ArchRule gatesUseOnlyApi = noClasses()
            .that().resideInAPackage("io.batpak.engine.gate..")
            .should().dependOnClassesThat().resideInAnyPackage("io.batpak.engine.log..",
                    "io.batpak.engine.index..", "io.batpak.engine.subscription..", "io.batpak.engine.projection..");

    /** Utilities are leaves: the JDK and the engine's value types only. */
    @ArchTest
    static final ArchRule utilIsALeaf = noClasses()
            .that().resideInAPackage("io.batpak.engine.util..")
            .should().dependOnClassesThat().resideInAnyPackage("io.batpak.engine.log..",
                    "io.batpak.engine.index..", "io.batpak.engine.subscription..", "io.batpak.engine.projection..",
                    "io.batpak.engine.gate..");

    /**
     * Audit exports read through the store's API and hash with the log's EventHasher only (so the
     * verifier jar stays the engine's plain-Java classes); nothing else of the log, index or gates.
     */
    @ArchTest
    static final ArchRule auditUsesTheApiAndOnlyTheLogsHasher = noClasses()
            .that().resideInAPackage("io.batpak.engine.audit..")
            .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                    "engine sub-packages other than util, except the log's EventHasher",
                    (com.tngtech.archunit.core.domain.JavaClass c) -> c.getPackageName().startsWith("io.batpak.engine.")
                            && !c.getPackageName().equals("io.batpak.engine.util")
                            && !c.getPackageName().equals("io.batpak.engine.audit")
                            && !c.getName().equals("io.batpak.engine.log.EventHasher")));

    /** No cycles between the top-level packages (engine, streams, ee, web). */
    @ArchTest
    static final ArchRule topLevelFreeOfCycles = slices().matching("io.batpak.(*)..").should().beFreeOfCycles();

    /** No cycles between the engine's sub-packages (log, index, subscription, projection, gate, util). */
    @ArchTest
    static final ArchRule engineFreeOfCycles = slices().matching("io.batpak.engine.(*)..").should().beFreeOfCycles();
}
