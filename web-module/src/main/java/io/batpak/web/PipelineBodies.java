package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.AppendJson;
import io.batpak.ee.EventJson;
import io.batpak.streams.StartPosition;
import io.batpak.streams.TxStatement;
import io.batpak.streams.pipeline.InstanceView;
import io.batpak.streams.pipeline.PipelineDefinition;
import io.batpak.streams.pipeline.PipelineSummary;
import io.batpak.streams.pipeline.StageDelivery;
import io.batpak.streams.pipeline.StageSpec;
import io.batpak.streams.pipeline.StageView;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the pipeline endpoints (HTTP-API.md, "Pipelines (Hadron)"): the definition
 * body, deliveries, instances and the summary. A structural problem of the definition (stages
 * missing, duplicate, unknown, cyclic) is 400 {@code invalid-pipeline}; a field of the wrong type
 * is 400 {@code invalid-request}. Stateless.
 */
final class PipelineBodies {
    private PipelineBodies() {
    }

    static PipelineDefinition definition(JsonObject o) {
        String input = StreamBodies.requiredString(o, "input");
        List<Integer> triggers = new ArrayList<>();
        JsonValue t = o.get("triggers");
        if (t instanceof JsonArray a) {
            for (JsonValue k : a) {
                if (!(k instanceof JsonNumber n) || !n.isIntegral()) {
                    throw new ProblemException(Problem.invalid("field 'triggers' must be an array of kinds (integers)"));
                }
                triggers.add(n.intValue());
            }
        } else if (t != null && t.getValueType() != JsonValue.ValueType.NULL) {
            throw new ProblemException(Problem.invalid("field 'triggers' must be an array of kinds (integers)"));
        }
        String start = StreamBodies.optionalString(o, "start");
        List<StageSpec> stages = new ArrayList<>();
        JsonValue s = o.get("stages");
        if (s != null && !(s instanceof JsonArray)) {
            throw new ProblemException(Problem.invalid("field 'stages' must be an array"));
        }
        for (JsonValue v : s == null ? JsonValue.EMPTY_JSON_ARRAY : s.asJsonArray()) {
            if (!(v instanceof JsonObject stage)) {
                throw new ProblemException(Problem.invalid("each stage must be an object {\"name\",\"dependsOn\"}"));
            }
            List<String> deps = new ArrayList<>();
            JsonValue d = stage.get("dependsOn");
            if (d instanceof JsonArray a) {
                for (JsonValue x : a) {
                    if (!(x instanceof JsonString name)) {
                        throw new ProblemException(Problem.invalid("field 'dependsOn' must be an array of stage names"));
                    }
                    deps.add(name.getString());
                }
            } else if (d != null && d.getValueType() != JsonValue.ValueType.NULL) {
                throw new ProblemException(Problem.invalid("field 'dependsOn' must be an array of stage names"));
            }
            stages.add(new StageSpec(StreamBodies.optionalString(stage, "name"), deps));
        }
        return new PipelineDefinition((int) StreamBodies.integer(o, "version", 1, 1, Integer.MAX_VALUE), input, triggers,
                start == null ? StartPosition.EARLIEST : StartPosition.parse(start),
                (int) StreamBodies.integer(o, "maxDeliveries", 0, 0, 1_000_000),
                StreamBodies.integer(o, "ackTimeoutMs", PipelineDefinition.DEFAULT_ACK_TIMEOUT_MS, 1, 86_400_000L), stages);
    }

    static JsonObjectBuilder definitionJson(String name, PipelineDefinition d) {
        JsonArrayBuilder triggers = JSON.createArrayBuilder();
        d.triggers().forEach(triggers::add);
        JsonArrayBuilder stages = JSON.createArrayBuilder();
        for (StageSpec s : d.stages()) {
            JsonArrayBuilder deps = JSON.createArrayBuilder();
            s.dependsOn().forEach(deps::add);
            stages.add(JSON.createObjectBuilder().add("name", s.name()).add("dependsOn", deps));
        }
        return JSON.createObjectBuilder().add("name", name).add("version", d.version()).add("input", d.input())
                .add("triggers", triggers).add("start", d.start().wireName()).add("maxDeliveries", d.maxDeliveries())
                .add("ackTimeoutMs", d.ackTimeoutMs()).add("stages", stages);
    }

    static JsonObject summary(PipelineSummary s) {
        return definitionJson(s.name(), s.definition()).add("instances", s.instances()).add("done", s.done())
                .add("running", s.running()).add("parked", s.parked()).build();
    }

    /** Output bytes (compact JSON as stored) as a JSON value; bytes that are not JSON as a base64 string. */
    static JsonValue output(byte[] bytes) {
        if (bytes == null) {
            return JsonValue.NULL;
        }
        JsonValue v = EventJson.payloadJson(bytes);
        return v != null ? v : JSON.createValue(java.util.Base64.getEncoder().encodeToString(bytes));
    }

    static JsonObject deliveries(List<StageDelivery> ds) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        for (StageDelivery d : ds) {
            JsonObjectBuilder inputs = JSON.createObjectBuilder();
            for (Map.Entry<String, byte[]> e : d.inputs().entrySet()) {
                inputs.add(e.getKey(), output(e.getValue()));
            }
            a.add(JSON.createObjectBuilder().add("deliveryId", d.deliveryId()).add("instanceId", d.instanceId())
                    .add("trigger", EventJson.event(d.trigger())).add("inputs", inputs));
        }
        return JSON.createObjectBuilder().add("deliveries", a).build();
    }

    static JsonObject instance(InstanceView v) {
        JsonObjectBuilder stages = JSON.createObjectBuilder();
        for (Map.Entry<String, StageView> e : v.stages().entrySet()) {
            StageView s = e.getValue();
            JsonObjectBuilder b = JSON.createObjectBuilder().add("state", s.state().wireName())
                    .add("output", output(s.output())).add("deliveries", s.deliveries());
            if (s.lastReason() == null) {
                b.addNull("lastReason");
            } else {
                b.add("lastReason", s.lastReason());
            }
            stages.add(e.getKey(), b);
        }
        return JSON.createObjectBuilder().add("instanceId", v.instanceId()).add("trigger", EventJson.event(v.trigger()))
                .add("done", v.done()).add("stages", stages).build();
    }

    /** The output of an ack body: null when absent or JSON null (an ack without an output). */
    static byte[] ackOutput(JsonObject o) {
        JsonValue v = o.get("output");
        return v == null || v.getValueType() == JsonValue.ValueType.NULL ? null : AppendJson.payloadBytes(v);
    }

    /** The stream events of an ack body ({@code "events":[{"stream","key","kind","payload"}]}). */
    static List<TxStatement.Publish> events(JsonObject o) {
        JsonValue v = o.get("events");
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return List.of();
        }
        if (!(v instanceof JsonArray a)) {
            throw new ProblemException(Problem.invalid("field 'events' must be an array"));
        }
        List<TxStatement.Publish> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            if (!(a.get(i) instanceof JsonObject e)) {
                throw new ProblemException(Problem.invalid("events[" + i + "] must be an object"));
            }
            out.add(new TxStatement.Publish(StreamBodies.requiredString(e, "stream"), StreamBodies.event(e)));
        }
        return out;
    }
}
