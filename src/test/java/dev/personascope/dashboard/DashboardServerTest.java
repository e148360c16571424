package dev.personascope.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's HTTP side without a browser: history, the event stream's replay, slow clients. */
class DashboardServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Duration LIMIT = Duration.ofSeconds(20);

    static HttpResponse<String> get(DashboardServer s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + path.substring(1))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The first n events' (id, data) from the stream, after the given Last-Event-ID (null for none). */
    static List<String[]> readEvents(DashboardServer s, String lastEventId, int n) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(s.url() + "events"));
        if (lastEventId != null) {
            req.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> r = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        List<String[]> events = new ArrayList<>();
        try (Stream<String> lines = r.body()) {
            Iterator<String> it = lines.iterator();
            String id = null;
            while (events.size() < n && it.hasNext()) {
                String line = it.next();
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    events.add(new String[] {id, line.substring(6)});
                }
            }
        }
        return events;
    }

    @Test
    void historyHoldsEveryEventAsJson() throws Exception {
        try (DashboardServer s = new DashboardServer(0)) {
            assertTrue(s.port() > 0);
            Map<String, Double> w = new LinkedHashMap<>();
            w.put("toxic", 0.5);
            w.put("broken", Double.NaN);
            s.publish(1, 2.5, w);
            s.publish(2, Double.NaN, Map.of("toxic", 0.7));
            s.alarm(2, "toxic", 0.7, "above threshold");
            s.finish("done training");

            HttpResponse<String> r = get(s, "/history");
            assertEquals(200, r.statusCode());
            JsonNode h = JSON.readTree(r.body());
            assertEquals(4, h.size());
            assertEquals(1, h.get(0).get("step").asInt());
            assertEquals(2.5, h.get(0).get("loss").asDouble());
            assertEquals(0.5, h.get(0).get("watched").get("toxic").asDouble());
            assertTrue(h.get(0).get("watched").get("broken").isNull(), "NaN is sent as null");
            assertTrue(h.get(0).get("alarm").isNull());
            assertTrue(h.get(1).get("loss").isNull());
            JsonNode alarm = h.get(2).get("alarm");
            assertEquals("toxic", alarm.get("direction").asText());
            assertEquals(2, alarm.get("step").asInt());
            assertEquals(0.7, alarm.get("value").asDouble());
            assertEquals("above threshold", alarm.get("message").asText());
            assertEquals("done training", h.get(3).get("done").asText());
            assertEquals(2, h.get(3).get("step").asInt());

            assertEquals(200, get(s, "/").statusCode());
            assertTrue(get(s, "/").body().contains("id=\"loss-chart\""));
            assertEquals(404, get(s, "/nothing").statusCode());
        }
    }

    @Test
    void streamReplaysTheHistoryThenLiveEvents() throws Exception {
        try (DashboardServer s = new DashboardServer(0)) {
            for (int step = 0; step < 3; step++) {
                s.publish(step, 1.0 / (step + 1), Map.of());
            }
            List<String[]> events = assertTimeoutPreemptively(LIMIT, () -> {
                Thread live = new Thread(() -> {
                    for (int step = 3; step < 6; step++) {
                        s.publish(step, 0.1, Map.of("x", 1.0));
                    }
                });
                live.start();
                List<String[]> got = readEvents(s, null, 6);
                live.join();
                return got;
            });
            for (int i = 0; i < 6; i++) {
                assertEquals(Integer.toString(i), events.get(i)[0]);
                assertEquals(i, JSON.readTree(events.get(i)[1]).get("step").asInt());
            }
            // a reconnecting client gets only what it missed
            List<String[]> rest = assertTimeoutPreemptively(LIMIT, () -> readEvents(s, "3", 2));
            assertEquals("4", rest.get(0)[0]);
            assertEquals("5", rest.get(1)[0]);
        }
    }

    @Test
    void aClientThatNeverReadsDoesNotHoldUpPublishing() throws Exception {
        try (DashboardServer s = new DashboardServer(0); Socket stuck = new Socket("127.0.0.1", s.port())) {
            OutputStream out = stuck.getOutputStream();
            out.write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Map<String, Double> big = new LinkedHashMap<>();
            for (int i = 0; i < 40; i++) {
                big.put("persona direction number " + i, Math.PI * i);
            }
            int n = 20_000; // some 30 MB of events, far more than the socket buffers hold
            assertTimeoutPreemptively(LIMIT, () -> {
                for (int step = 0; step < n; step++) {
                    s.publish(step, 1.0, big);
                }
            });
            assertEquals(n, s.events().size());
            List<String[]> last = assertTimeoutPreemptively(LIMIT, () -> readEvents(s, Integer.toString(n - 2), 1));
            assertEquals(Integer.toString(n - 1), last.get(0)[0]);
        }
    }

    @Test
    void pageFetchesNothingFromOutside() {
        String page = DashboardPage.html("t");
        assertTrue(!java.util.regex.Pattern.compile("(?i)\\b(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)").matcher(page).find());
    }
}
