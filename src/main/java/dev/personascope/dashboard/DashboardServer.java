package dev.personascope.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A live training dashboard on 127.0.0.1. {@code GET /} is a self-contained page that charts the
 * loss and each watched persona direction against the step and shows a banner on an alarm;
 * {@code GET /events} streams the events as server-sent events, replaying the whole history to a
 * newly connected client first; {@code GET /history} returns all events as a JSON array.
 *
 * <p>Each event is {@code {"step":..,"loss":..,"watched":{"name":value,..},"alarm":null|{"step":..,
 * "direction":..,"value":..,"message":..},"done":null|message}}. Publishing never waits for a
 * client: each client has a bounded queue, and a client too slow to keep up, or gone, is dropped.
 */
public final class DashboardServer implements AutoCloseable {
    /** Events a client may fall behind by, beyond the history it is sent on connecting. */
    private static final int CLIENT_LAG = 4096;
    private static final long KEEP_ALIVE_SECONDS = 15;
    /** Tells a client's writer to end; no real frame is empty. */
    private static final String END = "";

    private final String title;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Object lock = new Object();
    private final List<String> history = new ArrayList<>();
    private final Set<BlockingQueue<String>> clients = new HashSet<>();
    private int lastStep;
    private boolean closed;

    /** Starts serving on 127.0.0.1 at the given port; 0 picks a free one (see {@link #port()}). */
    public DashboardServer(int port) throws IOException {
        this("PersonaScope training", port);
    }

    public DashboardServer(String title, int port) throws IOException {
        this.title = title;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "personascope-dashboard");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8123/}. */
    public String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    /**
     * One training step: the loss (NaN when this event carries none, e.g. a monitor publishing
     * only its readings) and the watched directions' values by name (may be empty).
     */
    public void publish(int step, double loss, Map<String, Double> watched) {
        Map<String, Double> w = new LinkedHashMap<>();
        if (watched != null) {
            watched.forEach((name, value) -> w.put(name, finite(value == null ? Double.NaN : value)));
        }
        send(new Event(step, finite(loss), w, null, null), step);
    }

    /** An early-warning alarm: the banner shows on the page from now on. */
    public void alarm(int step, String direction, double value, String message) {
        send(new Event(step, null, Map.of(), new AlarmEvent(step, direction, finite(value), message), null), step);
    }

    /** The final event: the page shows the message and stops listening. */
    public void finish(String message) {
        int step;
        synchronized (lock) {
            step = lastStep;
        }
        send(new Event(step, null, Map.of(), null, message == null ? "done" : message), step);
    }

    /** All events so far, as JSON objects, oldest first. */
    public List<String> events() {
        synchronized (lock) {
            return List.copyOf(history);
        }
    }

    /**
     * One event as the page reads it: {@code {"step", "loss", "watched": {name: value}, "alarm", "done"}}; a number
     * that is not finite is null (JSON has no NaN or infinity), as are the alarm and done of events without them.
     */
    record Event(int step, Double loss, Map<String, Double> watched, AlarmEvent alarm, String done) {
    }

    /** The alarm of an alarm event. */
    record AlarmEvent(int step, String direction, Double value, String message) {
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private void send(Event e, int step) {
        send(Json.line(e), step);
    }

    private void send(String json, int step) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            lastStep = Math.max(lastStep, step);
            String frame = frame(history.size(), json);
            history.add(json);
            clients.removeIf(q -> {
                if (q.offer(frame)) {
                    return false;
                }
                q.clear(); // too far behind: drop it, and let its writer end
                q.offer(END);
                return true;
            });
        }
    }

    private static String frame(int id, String json) {
        return "id: " + id + "\ndata: " + json + "\n\n";
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!ex.getRequestMethod().equals("GET")) {
                text(ex, 405, "text/plain", "only GET is served here");
                return;
            }
            switch (ex.getRequestURI().getPath()) {
                case "/", "/index.html" -> text(ex, 200, "text/html", DashboardPage.html(title));
                case "/history" -> text(ex, 200, "application/json", "[" + String.join(",", events()) + "]");
                case "/events" -> stream(ex);
                default -> text(ex, 404, "text/plain", "no such page; try / , /events or /history");
            }
        } finally {
            ex.close();
        }
    }

    private static void text(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Server-sent events: the history after the client's Last-Event-ID (all of it when new), then live events. */
    private void stream(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        BlockingQueue<String> queue = register(lastEventId(ex));
        if (queue == null) {
            return;
        }
        try (OutputStream out = ex.getResponseBody()) {
            out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String frame = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                if (frame != null && frame.equals(END)) {
                    break;
                }
                // a comment line now and then finds out clients that have gone
                out.write((frame == null ? ": keep-alive\n\n" : frame).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (lock) {
                clients.remove(queue);
            }
        }
    }

    private static int lastEventId(HttpExchange ex) {
        String id = ex.getRequestHeaders().getFirst("Last-Event-ID");
        try {
            return id == null ? -1 : Integer.parseInt(id.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private BlockingQueue<String> register(int lastSeen) {
        synchronized (lock) {
            if (closed) {
                return null;
            }
            int from = Math.max(0, Math.min(history.size(), lastSeen + 1));
            BlockingQueue<String> queue = new ArrayBlockingQueue<>(history.size() - from + CLIENT_LAG);
            for (int i = from; i < history.size(); i++) {
                queue.add(frame(i, history.get(i)));
            }
            clients.add(queue);
            return queue;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            for (BlockingQueue<String> q : clients) {
                q.clear();
                q.offer(END);
            }
            clients.clear();
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
