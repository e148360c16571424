import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the resident memory of a running {@code personascope serve} under abuse from clients on 127.0.0.1, and
 * the latency of a normal request while the abuse goes on (issue 17). JDK only; run by scripts/serve-abuse.sh:
 * {@code java scripts/ServeAbuse.java SERVE_PID PORT MODEL [SLOW_HEADERS HUGE_PROMPTS HALF_BODIES]} (default 50 20 6).
 *
 * <p>Phases: a normal request (warm-up, then timed); 50 slow clients that send half a request header and wait; 20
 * prompts of 7 MB sent at once; 6 clients that send headers and half a body and wait; then, with all of those still
 * connected, a normal request. RSS is read from /proc/PID/status every 50 ms (VmRSS; VmHWM is the kernel's own peak).
 */
public class ServeAbuse {
    static int SLOW_HEADERS = 50;
    static int HUGE_PROMPTS = 20;
    static final int HUGE_CHARS = 7_000_000;
    static int HALF_BODIES = 6;

    public static void main(String[] args) throws Exception {
        long pid = Long.parseLong(args[0]);
        int port = Integer.parseInt(args[1]);
        String model = args[2];
        if (args.length == 6) {
            SLOW_HEADERS = Integer.parseInt(args[3]);
            HUGE_PROMPTS = Integer.parseInt(args[4]);
            HALF_BODIES = Integer.parseInt(args[5]);
        }
        URI chat = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String small = "{\"model\":\"" + model + "\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

        timed(http, chat, small, "warm-up request");
        Memory mem = new Memory(pid);
        mem.start();
        Thread.sleep(500);
        long before = mem.rss();
        long hwmBefore = status(pid).get("VmHWM");
        System.out.printf("before: VmRSS %d MB, VmHWM %d MB%n", before >> 10, hwmBefore >> 10);
        String normalAlone = timed(http, chat, small, "normal request, no abuse");

        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < SLOW_HEADERS; i++) {
            held.add(send(port, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"));
        }
        System.out.printf("%d slow clients holding half a header%n", SLOW_HEADERS);

        StringBuilder huge = new StringBuilder(HUGE_CHARS + 200);
        huge.append("{\"model\":\"").append(model).append("\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"");
        huge.append("the ".repeat(HUGE_CHARS / 4)).append("\"}]}");
        byte[] hugeBody = huge.toString().getBytes(StandardCharsets.UTF_8);
        long hugeStart = System.nanoTime();
        List<CompletableFuture<String>> hugeCalls = new ArrayList<>();
        for (int i = 0; i < HUGE_PROMPTS; i++) {
            HttpRequest r = HttpRequest.newBuilder(chat).timeout(Duration.ofSeconds(300))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(hugeBody)).build();
            hugeCalls.add(http.sendAsync(r, HttpResponse.BodyHandlers.ofString())
                    .thenApply(res -> res.statusCode() + String.format(" after %.1f s", (System.nanoTime() - hugeStart) / 1e9))
                    .exceptionally(e -> "failed: " + e.getCause()));
        }

        for (int i = 0; i < HALF_BODIES; i++) {
            held.add(send(port, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"model\":"));
        }
        System.out.printf("%d clients holding half a body%n", HALF_BODIES);
        String normalDuring = timed(http, chat, small, "normal request during the abuse");

        Map<String, Integer> outcomes = new TreeMap<>();
        double slowest = 0;
        for (CompletableFuture<String> c : hugeCalls) {
            String o = c.get();
            String status = o.split(" ")[0];
            outcomes.merge(status, 1, Integer::sum);
            if (o.contains(" after ")) {
                slowest = Math.max(slowest, Double.parseDouble(o.replaceAll(".* after ([0-9.]+) s", "$1")));
            }
        }
        System.out.printf("%d huge prompts (%.1f MB each): HTTP status counts %s, all answered within %.1f s%n",
                HUGE_PROMPTS, hugeBody.length / 1e6, outcomes, slowest);
        long peak = mem.peak();
        int closedByServer = 0;
        for (Socket s : held) {
            if (closed(s)) {
                closedByServer++;
            }
            s.close();
        }
        System.out.printf("slow clients closed by the server by now: %d of %d%n", closedByServer, held.size());
        Thread.sleep(5000);
        long after = mem.rss();
        mem.interrupt();
        Map<String, Long> st = status(pid);
        System.out.printf("peak (sampled): VmRSS %d MB; VmHWM %d MB%n", Math.max(peak, mem.peak()) >> 10, st.get("VmHWM") >> 10);
        System.out.printf("after (5 s later): VmRSS %d MB%n", after >> 10);
        System.out.println("| before RSS | peak RSS (VmHWM) | after RSS | normal request alone | during abuse | huge prompts |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf("| %d MB | %d MB (%d MB) | %d MB | %s | %s | %s within %.1f s |%n", before >> 10,
                Math.max(peak, mem.peak()) >> 10, st.get("VmHWM") >> 10, after >> 10, normalAlone, normalDuring, outcomes, slowest);
    }

    /** A normal request's status and latency, as "200 in 0.31 s" (or what went wrong). */
    static String timed(HttpClient http, URI chat, String body, String what) {
        long t = System.nanoTime();
        String result;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(chat).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            result = String.format("%d in %.2f s", r.statusCode(), (System.nanoTime() - t) / 1e9);
        } catch (IOException | InterruptedException e) {
            result = String.format("%s after %.2f s", e, (System.nanoTime() - t) / 1e9);
        }
        System.out.println(what + ": " + result);
        return result;
    }

    static Socket send(int port, String text) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Whether the server has closed the connection (or answered and closed). */
    static boolean closed(Socket s) {
        try {
            s.setSoTimeout(1);
            InputStream in = s.getInputStream();
            byte[] b = new byte[4096];
            while (true) {
                if (in.read(b) < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** VmRSS, VmHWM, ... of /proc/PID/status in kB. */
    static Map<String, Long> status(long pid) throws IOException {
        Map<String, Long> m = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Vm")) {
                String[] kv = line.split(":\\s+");
                m.put(kv[0], Long.parseLong(kv[1].replace(" kB", "").trim()));
            }
        }
        return m;
    }

    /** Samples VmRSS every 50 ms and keeps the largest value. */
    static final class Memory extends Thread {
        private final long pid;
        private final AtomicLong last = new AtomicLong();
        private final AtomicLong peak = new AtomicLong();

        Memory(long pid) throws IOException {
            this.pid = pid;
            setDaemon(true);
            sample();
        }

        private void sample() throws IOException {
            long rss = status(pid).get("VmRSS");
            last.set(rss);
            peak.accumulateAndGet(rss, Math::max);
        }

        @Override
        public void run() {
            try {
                while (!isInterrupted()) {
                    sample();
                    Thread.sleep(50);
                }
            } catch (IOException | InterruptedException end) {
                // the process ended or we were stopped
            }
        }

        long rss() {
            return last.get();
        }

        long peak() {
            return peak.get();
        }
    }
}
