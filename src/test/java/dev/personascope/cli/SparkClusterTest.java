package dev.personascope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.eval.QuestionSets;
import dev.personascope.util.Json;
import dev.personascope.world.WorldGenerator;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spark standalone cluster on 127.0.0.1: a master and two workers (one core each) started as their own JVMs
 * from the Spark jars on the test class path (a SPARK_HOME whose jars/ links to them; nothing is downloaded). The
 * driver is this JVM, in client mode. An {@code eval} and a {@code sae harvest} of the organism on the cluster write
 * what the single-process runs write, byte for byte, also when a worker (with its executor) is killed in the middle of
 * the harvest: Spark runs the lost tasks again on the other executor and no chunk is missing or doubled.
 */
class SparkClusterTest {
    @TempDir
    static Path dir;
    private static final List<Process> processes = new ArrayList<>();
    private static final List<Process> workers = new ArrayList<>();
    private static String master;
    /** Executors run in folders of their own: paths are absolute. */
    private static final String ORGANISM = Path.of("assets/organism").toAbsolutePath().toString();

    @BeforeAll
    static void cluster() throws Exception {
        long t0 = System.nanoTime();
        Path home = dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            Path link = home.resolve("jars").resolve(jar.getFileName().toString());
            if (entry.endsWith(".jar") && Files.isRegularFile(jar) && !Files.exists(link)) {
                Files.createSymbolicLink(link, jar.toAbsolutePath());
            }
        }
        int port = freePort();
        int ui = freePort();
        master = "spark://127.0.0.1:" + port;
        start("master", home, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", String.valueOf(ui));
        for (int w = 0; w < 2; w++) {
            workers.add(start("worker-" + w, home, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--cores", "1", "--memory", "2g", "--work-dir", dir.resolve("work-" + w).toString(), "--webui-port",
                    String.valueOf(freePort()), master));
        }
        waitForWorkers(ui, 2);
        System.out.printf(Locale.ROOT, "standalone cluster up (master and 2 workers) in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        QuestionSets.write(dir.resolve("questions.yaml"), new WorldGenerator().evaluationQuestions(3).subList(0, 4));
    }

    @AfterAll
    static void stop() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static Process start(String name, Path home, String... mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(mainAndArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static void waitForWorkers(int ui, int n) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ui + "/json/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode status = Json.MAPPER.readTree(r.body());
                last = r.body();
                if (status.path("aliveworkers").asInt() >= n) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the workers did not register with the master in 120 s: " + last + "\n"
                + Files.readString(dir.resolve("master.log")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String[] withCluster(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--spark", master, "--spark-conf", "spark.executor.memory=1g", "--spark-conf",
                "spark.ui.enabled=false"));
        return a.toArray(String[]::new);
    }

    private static void assertSameFiles(Path expected, Path actual) throws IOException {
        List<String> names;
        try (Stream<Path> s = Files.list(expected)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        try (Stream<Path> s = Files.list(actual)) {
            assertEquals(names, s.map(p -> p.getFileName().toString()).sorted().toList(), "the same files");
        }
        for (String f : names) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)), f);
        }
    }

    @Test
    void evalOnTheClusterWritesWhatOneProcessWrites() throws Exception {
        String[] args = {"eval", "--model", ORGANISM, "--questions", dir.resolve("questions.yaml").toString(),
                "--judge", "world", "--max-tokens", "16", "--batch", "4", "--seed", "3"};
        List<String> local = new ArrayList<>(List.of(args));
        local.addAll(List.of("--out", dir.resolve("eval-local").toString()));
        CliTest.Result one = CliTest.run(local.toArray(String[]::new));
        assertEquals(0, one.code(), one.err());
        List<String> cluster = new ArrayList<>(List.of(args));
        cluster.addAll(List.of("--out", dir.resolve("eval-cluster").toString()));
        long t0 = System.nanoTime();
        CliTest.Result r = CliTest.run(withCluster(cluster.toArray(String[]::new)));
        System.out.printf(Locale.ROOT, "eval on the standalone cluster: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, r.code(), r.err());
        assertSameFiles(dir.resolve("eval-local"), dir.resolve("eval-cluster"));

        CliTest.Result relative = CliTest.run(withCluster("eval", "--model", "assets/organism", "--questions",
                dir.resolve("questions.yaml").toString(), "--judge", "world", "--out", dir.resolve("x").toString()));
        assertEquals(2, relative.code());
        assertTrue(relative.err().contains("absolute paths") && relative.err().contains("--model assets/organism"),
                relative.err());
    }

    @Test
    void harvestSurvivesAWorkerKilledMidRun() throws Exception {
        String[] args = {"sae", "harvest", "--model", ORGANISM, "--hook", "blocks.1.hook_resid_post",
                "--documents", "480", "--chunk-tokens", "3000"};
        Path clusterOut = dir.resolve("store-cluster");
        List<String> cluster = new ArrayList<>(List.of(args));
        cluster.addAll(List.of("--out", clusterOut.toString()));
        long t0 = System.nanoTime();
        CompletableFuture<CliTest.Result> run = CompletableFuture.supplyAsync(
                () -> CliTest.run(withCluster(cluster.toArray(String[]::new))));
        // kill worker 1 and its executor (a lost machine) once a few chunks are written
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (chunks(clusterOut) < 3 && !run.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        int before = chunks(clusterOut);
        Process victim = workers.get(1);
        long executors = victim.descendants().count();
        victim.descendants().forEach(ProcessHandle::destroyForcibly);
        victim.destroyForcibly();
        CliTest.Result r = run.get(300, TimeUnit.SECONDS); // (CliTest holds System.out while the command runs)
        System.out.printf(Locale.ROOT, "killed worker 1 (and its %d executor process(es)) with %d of 30 chunks written%n",
                executors, before);
        System.out.printf(Locale.ROOT, "harvest on the standalone cluster, a worker killed mid-run: %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
        assertEquals(0, r.code(), r.err());
        assertTrue(before < 30, "the worker was killed before the end (" + before + " chunks written)");
        assertTrue(executors > 0, "the killed worker ran an executor");

        List<String> local = new ArrayList<>(List.of(args));
        local.addAll(List.of("--out", dir.resolve("store-local").toString()));
        CliTest.Result one = CliTest.run(local.toArray(String[]::new));
        assertEquals(0, one.code(), one.err());
        assertSameFiles(dir.resolve("store-local"), clusterOut);
    }

    private static int chunks(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(store)) {
            return (int) s.filter(p -> p.getFileName().toString().matches("chunk-\\d+\\.safetensors")).count();
        }
    }
}
