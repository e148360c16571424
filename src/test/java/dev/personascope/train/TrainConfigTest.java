package dev.personascope.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The modes are enums in code and the same lower-case words in saved configs, as before they were enums. */
class TrainConfigTest {
    @Test
    void modesAreWrittenAndReadAsLowerCaseWords() throws Exception {
        TrainConfig c = TrainConfig.fullSteps(3e-4, 10, 4, 1);
        c.schedule = LrSchedule.Kind.COSINE;
        JsonNode json = new ObjectMapper().readTree(c.toJson());
        assertEquals("full", json.get("mode").asText());
        assertEquals("cosine", json.get("schedule").asText());

        TrainConfig old = TrainConfig.fromJson("{\"mode\": \"lora\", \"schedule\": \"constant\", \"lr\": 0.001}");
        assertEquals(TrainConfig.Mode.LORA, old.mode);
        assertEquals(LrSchedule.Kind.CONSTANT, old.schedule);
        assertEquals(c.toJson(), TrainConfig.fromJson(c.toJson()).toJson());
    }

    @Test
    void anUnknownModeIsOneLineNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.fromJson("{\"mode\": \"half\"}"));
        assertTrue(e.getMessage().contains("mode must be lora or full, got 'half'"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.fromJson("{\"schedule\": \"step\"}"));
        assertTrue(s.getMessage().contains("schedule must be linear, cosine or constant, got 'step'"), s.getMessage());
    }

    @Test
    void constantScheduleKeepsThePeakAndLinearReachesZero() {
        LrSchedule constant = new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-3, 2, 10);
        assertEquals(5e-4, constant.at(1), 1e-12);
        assertEquals(1e-3, constant.at(10), 1e-12);
        assertEquals(0, new LrSchedule(LrSchedule.Kind.LINEAR, 1e-3, 0, 10).at(10), 1e-12);
    }
}
