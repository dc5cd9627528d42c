package io.batpak.it.app.pipelines;

import io.batpak.ee.PipelineStage;
import io.batpak.engine.StoredEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Serves stage {@code charge} of pipeline {@code fulfil} as a CDI bean: its output names the
 * trigger's payload and the validate output it got, so the test can check both reached it.
 */
@ApplicationScoped
public class ChargeStage {
    @PipelineStage(pipeline = "fulfil", stage = "charge", workers = 2)
    public String charge(StoredEvent trigger, Map<String, String> inputs) {
        if (!inputs.containsKey("validate")) {
            throw new IllegalStateException("charge ran without the validate output: " + inputs);
        }
        return "{\"by\":\"cdi\",\"order\":" + new String(trigger.payload(), StandardCharsets.UTF_8)
                + ",\"validated\":" + inputs.get("validate") + "}";
    }
}
