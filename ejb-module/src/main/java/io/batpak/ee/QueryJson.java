package io.batpak.ee;

import io.batpak.engine.AppendCondition;
import io.batpak.engine.EventQuery;
import io.batpak.engine.QueryItem;
import io.batpak.engine.ScopeGrants;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the contract's query items ({@code [{"scope","entityPrefix","kinds":[…],"categories":[…]},…]})
 * and an append's {@code condition} ({@code {"failIfEventsMatch":{"items":[…]},"after":n}}) into
 * engine values, bound to the caller's grants so a query and a condition see only events the
 * caller may read. Every malformed field is {@code INVALID_REQUEST} naming it. Stateless.
 */
public final class QueryJson {
    private QueryJson() {
    }

    /** The query of a body's {@code items}, inside {@code grants}. */
    public static EventQuery query(JsonObject body, ScopeGrants grants) {
        JsonValue v = body.get("items");
        if (!(v instanceof JsonArray items) || items.isEmpty()) {
            throw AppendJson.invalid("field 'items' must be a non-empty array of query items");
        }
        if (items.size() > EventQuery.MAX_ITEMS) {
            throw AppendJson.invalid("field 'items' holds at most " + EventQuery.MAX_ITEMS + " items, got " + items.size());
        }
        List<QueryItem> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof JsonObject o)) {
                throw AppendJson.invalid("items[" + i + "] must be an object");
            }
            out.add(new QueryItem(string(o, "scope", i), string(o, "entityPrefix", i), ints(o, "kinds", i),
                    ints(o, "categories", i)));
        }
        return new EventQuery(out, grants);
    }

    /** The {@code condition} of an append body, or null if it has none. */
    public static AppendCondition condition(JsonObject body, ScopeGrants grants) {
        if (!AppendJson.has(body, "condition")) {
            return null;
        }
        if (!(body.get("condition") instanceof JsonObject c)) {
            throw AppendJson.invalid("field 'condition' must be an object");
        }
        if (!(c.get("failIfEventsMatch") instanceof JsonObject match)) {
            throw AppendJson.invalid("field 'condition.failIfEventsMatch' must be an object with 'items'");
        }
        long after = AppendJson.has(c, "after") ? AppendJson.integer(c, "after", 0, Long.MAX_VALUE) : 0;
        return new AppendCondition(query(match, grants), after);
    }

    private static String string(JsonObject o, String field, int item) {
        JsonValue v = o.get(field);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(v instanceof JsonString s)) {
            throw AppendJson.invalid("items[" + item + "]." + field + " must be a string");
        }
        return s.getString();
    }

    private static Set<Integer> ints(JsonObject o, String field, int item) {
        JsonValue v = o.get(field);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return Set.of();
        }
        if (!(v instanceof JsonArray a) || a.size() > QueryItem.MAX_VALUES) {
            throw AppendJson.invalid("items[" + item + "]." + field + " must be an array of at most "
                    + QueryItem.MAX_VALUES + " integers");
        }
        Set<Integer> out = new HashSet<>();
        for (JsonValue x : a) {
            if (!(x instanceof JsonNumber n) || !n.isIntegral() || n.longValue() < 0 || n.longValue() > 0xFFFF) {
                throw AppendJson.invalid("items[" + item + "]." + field + " must hold integers 0..65535");
            }
            out.add(n.intValue());
        }
        return out;
    }
}
