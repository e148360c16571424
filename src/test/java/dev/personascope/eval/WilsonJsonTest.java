package dev.personascope.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.util.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one JSON form of a Wilson interval, read back, and the older forms still read. */
class WilsonJsonTest {
    @Test
    void writtenAsSuccessesTrialsRateLowHighAndReadBackEqual() throws Exception {
        Wilson w = Wilson.of(5, 10);
        JsonNode n = Json.toTree(w);
        assertEquals(5, n.get("successes").asInt());
        assertEquals(10, n.get("trials").asInt());
        assertEquals(0.5, n.get("rate").asDouble());
        assertEquals(w.low(), n.get("low").asDouble());
        assertEquals(w.high(), n.get("high").asDouble());
        assertEquals(5, n.size(), n.toString());
        assertEquals(w, Json.MAPPER.readValue(Json.line(w), Wilson.class));
    }

    @Test
    void noTrialsHasNullRateAndInterval() throws Exception {
        JsonNode n = Json.toTree(Wilson.of(0, 0));
        assertTrue(n.get("rate").isNull() && n.get("low").isNull() && n.get("high").isNull(), n.toString());
        assertEquals(Wilson.of(0, 0), Json.MAPPER.readValue(n.toString(), Wilson.class));
        assertEquals("- (0/0)", Wilson.of(0, 0).toString());
    }

    @Test
    void olderLayoutsRead() {
        // world em's old layout, NaN as text, and eval's old "fraction"
        JsonNode old = Json.MAPPER.createObjectNode().put("fraction", "NaN").put("low", 0).put("high", 1).put("count", 0)
                .put("of", 0);
        assertEquals(Wilson.of(0, 0), Json.fromTree(old, Wilson.class, "old"));
        JsonNode eval = Json.MAPPER.createObjectNode().put("fraction", 0.25).put("low", 0.1).put("high", 0.5)
                .put("successes", 1).put("trials", 4);
        assertEquals(Wilson.of(1, 4), Json.fromTree(eval, Wilson.class, "old"));
    }

    @Test
    void countsOutOfRangeAreOneLine() {
        JsonNode bad = Json.MAPPER.createObjectNode().put("successes", 5).put("trials", 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.fromTree(bad, Wilson.class, "f.json"));
        assertTrue(e.getMessage().startsWith("f.json: "), e.getMessage());
        assertTrue(e.getMessage().contains("successes <= trials"), e.getMessage());
    }
}
