package io.batpak.streams.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.ErrorCode;
import io.batpak.streams.StartPosition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a pipeline definition accepts and refuses, and that its stored form reads back equal. */
class PipelineDefinitionTest {
    private static StageSpec s(String name, String... deps) {
        return new StageSpec(name, List.of(deps));
    }

    private static InvalidPipelineException refused(List<StageSpec> stages) {
        return assertThrows(InvalidPipelineException.class, () -> PipelineDefinition.of("orders", stages));
    }

    @Test
    void refusesNoStageDuplicatesUnknownDependenciesAndCycles() {
        assertTrue(refused(List.of()).getMessage().contains("at least one stage"));
        assertTrue(refused(List.of(s("a"), s("a"))).getMessage().contains("defined twice"));
        assertTrue(refused(List.of(s("a"), s("b", "zz"))).getMessage().contains("unknown stage 'zz'"));
        InvalidPipelineException cycle = refused(List.of(s("a"), s("b", "a", "d"), s("c", "b"), s("d", "c")));
        assertTrue(cycle.getMessage().contains("[b, c, d]"), "the cycle's stages are named: " + cycle.getMessage());
        assertTrue(refused(List.of(s("self", "self"))).getMessage().contains("cycle"));
        assertEquals(ErrorCode.INVALID_PIPELINE, refused(List.of()).code());
        assertThrows(InvalidPipelineException.class, () -> new PipelineDefinition(1, "orders", List.of(70_000),
                StartPosition.EARLIEST, 0, 1000, List.of(s("a"))));
        assertThrows(InvalidPipelineException.class, () -> new PipelineDefinition(1, "orders", List.of(),
                StartPosition.EARLIEST, -1, 1000, List.of(s("a"))));
    }

    @Test
    void acceptsADiamondAndReadsBackEqualWithTriggersInAnyOrder() {
        List<StageSpec> diamond = List.of(s("validate"), s("charge", "validate"), s("email", "validate"),
                s("ship", "charge", "email"));
        PipelineDefinition a = new PipelineDefinition(2, "orders", List.of(7, 3, 7), StartPosition.LATEST, 3, 500, diamond);
        PipelineDefinition b = new PipelineDefinition(2, "orders", List.of(3, 7), StartPosition.LATEST, 3, 500, diamond);
        assertEquals(a, b, "triggers are a set");
        PipelineCodec.StoredDefinition back = PipelineCodec.readDefinition(PipelineCodec.definition(a, new long[] {4, 0}));
        assertEquals(a, back.definition());
        assertEquals(List.of(4L, 0L), List.of(back.startOffsets()[0], back.startOffsets()[1]));
        assertTrue(a.triggeredBy(7) && !a.triggeredBy(8));
        assertTrue(PipelineDefinition.of("orders", diamond).triggeredBy(12345), "no triggers: every kind");
    }
}
