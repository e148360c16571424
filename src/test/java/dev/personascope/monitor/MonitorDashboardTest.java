package dev.personascope.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.dashboard.DashboardServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The monitor's measurements and alarms reach a real dashboard server's /history. */
class MonitorDashboardTest {
    @Test
    void measurementsAndAlarmsArePublished() throws Exception {
        try (DashboardServer server = new DashboardServer(0)) {
            PersonaMonitor m = MonitorDashboard.connect(new PersonaMonitor(new MonitorConfig(List.of(MonitorTest.UP), 1, 2,
                    4, false, TokenScope.ALL), MonitorTest.PROBES, null), server);
            m.record(0, Map.of("up", 1.0));
            m.record(1, Map.of("up", 1.0));
            m.record(2, Map.of("up", 2.0)); // sd floor 0.05: z = 20
            server.finish("done");
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.url() + "history")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            JsonNode h = new ObjectMapper().readTree(r.body());
            assertEquals(5, h.size(), r.body());
            assertEquals(0, h.get(0).get("step").asInt());
            assertTrue(h.get(0).get("loss").isNull(), "the monitor's events carry no loss");
            assertEquals(1.0, h.get(0).get("watched").get("up").asDouble());
            assertEquals(2.0, h.get(2).get("watched").get("up").asDouble());
            JsonNode alarm = h.get(3).get("alarm");
            assertEquals(2, alarm.get("step").asInt());
            assertEquals("up", alarm.get("direction").asText());
            assertTrue(alarm.get("message").asText().startsWith("step 2: persona 'up' at 2.000 is 20.0 sd above"), r.body());
            assertEquals("done", h.get(4).get("done").asText());
        }
    }
}
