package dev.personascope.serve;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.testutil.StoriesChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Slow clients on loopback (half-sent headers, half-sent bodies) must not stall other requests. */
class SlowClientTest {
    @TempDir
    static Path dir;
    static LanguageModel lm;
    static ChatServer server;

    @BeforeAll
    static void start() throws Exception {
        lm = LanguageModel.load(StoriesChatModel.write(dir));
        server = new ChatServer(lm, "stories260K", "127.0.0.1", 0, () -> Hooks.NONE, false,
                new ServeLimits(1000, 64 << 10, 2000, 2, 4));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        lm.close();
    }

    static Socket halfSent(String text) throws Exception {
        Socket s = new Socket("127.0.0.1", server.port());
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    @Test
    void halfSentHeadersAndBodiesDoNotStallOthers() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                slow.add(halfSent("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"));
                slow.add(halfSent("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                        + "\r\nContent-Length: 100\r\n\r\n{\"messages\":"));
            }
            Thread.sleep(300);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> http.send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).timeout(Duration.ofSeconds(9)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertEquals(200, r.statusCode());
            // the slow connections are closed by the server once their deadline (1 s) has passed
            for (Socket s : slow) {
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                assertTimeoutPreemptively(Duration.ofSeconds(6), () -> {
                    try {
                        while (in.read() >= 0) {
                            // a 4xx or nothing, then the end
                        }
                    } catch (java.net.SocketException closed) {
                        // reset: closed as well
                    }
                });
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void moreSlowClientsThanTheOldPoolDoNotStallOthersAtTheDefaultLimits() throws Exception {
        // issue 17: with 32 threads and a 30 s deadline, 50 half-sent headers held every thread and a normal request
        // waited 30 s; at the default limits (512 threads) 100 of them leave it answered at once
        try (ChatServer defaults = new ChatServer(lm, "stories260K", "127.0.0.1", 0, () -> Hooks.NONE, false,
                ServeLimits.DEFAULT)) {
            defaults.start();
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    Socket s = new Socket("127.0.0.1", defaults.port());
                    s.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAcc"
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    slow.add(s);
                }
                Thread.sleep(500);
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> http.send(
                        HttpRequest.newBuilder(URI.create(defaults.baseUrl() + "/models"))
                                .timeout(Duration.ofSeconds(9)).build(), HttpResponse.BodyHandlers.ofString()));
                assertEquals(200, r.statusCode());
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void oversizedBodyIs413AndLongPromptIs400BeforeTokenizing() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            String big = "{\"prompt\":\"" + "a".repeat(100 << 10) + "\",\"max_tokens\":1}";
            HttpResponse<String> r = post("/completions", big);
            assertEquals(413, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"invalid_request_error\""), r.body());
            String longPrompt = "{\"prompt\":\"" + "story ".repeat(400) + "\",\"max_tokens\":1}";
            r = post("/completions", longPrompt);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("characters"), r.body());
            String longChat = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "story ".repeat(400)
                    + "\"}],\"max_tokens\":1}";
            r = post("/chat/completions", longChat);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"param\":\"messages\""), r.body());
            // a short one still answers
            r = post("/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}");
            assertEquals(200, r.statusCode(), r.body());
        });
    }

    @Test
    void fullQueueIs503WithRetryAfter() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            reserveWithin(Duration.ofSeconds(10)); // an earlier test's generation may still be ending
            reserveWithin(Duration.ofSeconds(10));
            try {
                HttpResponse<String> r = post("/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}");
                assertEquals(503, r.statusCode(), r.body());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                assertTrue(r.body().contains("\"server_error\"") && r.body().contains("\"overloaded\""), r.body());
            } finally {
                server.release();
                server.release();
            }
            HttpResponse<String> r = post("/chat/completions",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":2,\"stream\":true}");
            assertEquals(200, r.statusCode(), r.body());
        });
    }

    @Test
    void aStreamThatIsNotReadDoesNotHoldTheModel() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"stream\":true,"
                + "\"n\":16,\"max_tokens\":400,\"temperature\":1.0,\"logprobs\":true,\"top_logprobs\":20,"
                + "\"logit_bias\":{\"1\":-100,\"2\":-100}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = stuck.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            Thread.sleep(500);
            // never read: the server's writes block, then pass their deadline (1 s) and the model is free again
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
                HttpResponse<String> r = post("/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}");
                assertEquals(200, r.statusCode(), r.body());
            });
        }
    }

    static void reserveWithin(Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (!server.reserve()) {
            assertTrue(System.nanoTime() < end, "no generation slot came free");
            Thread.sleep(50);
        }
    }
}
