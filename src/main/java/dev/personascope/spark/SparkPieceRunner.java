package dev.personascope.spark;

import dev.personascope.util.OneLine;
import dev.personascope.util.ProgressBar;
import dev.personascope.work.ExecutorPieces;
import dev.personascope.work.PieceJob;
import dev.personascope.work.PieceRunner;
import dev.personascope.work.Pieces;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs pending pieces as one Spark job, one piece per task: Spark retries a failed task (on another executor when
 * one is lost), and because a piece writes its output atomically under its own name a retry leaves no duplicate.
 * Executors need the outputs' folder at the same path as the driver (a shared file system).
 */
final class SparkPieceRunner implements PieceRunner {
    /** {@code --spark submit}: the master spark-submit gives. */
    static final String SUBMIT = "submit";

    private final String master;
    private final Map<String, String> settings;

    SparkPieceRunner(String master, Map<String, String> settings) {
        this.master = master;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "Spark";
    }

    @Override
    public void run(PieceJob job, Pieces pieces, List<Integer> pending) {
        SparkConf conf = conf(job);
        try (JavaSparkContext sc = new JavaSparkContext(conf);
             ProgressBar bar = new ProgressBar("pieces on " + conf.get("spark.master"), pending.size(), "pieces")) {
            sc.setLogLevel(conf.get("spark.log.level", "WARN"));
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    if (end.taskInfo().successful()) {
                        bar.step(1);
                    }
                }
            });
            sc.parallelize(pending, pending.size()).foreach(piece -> ExecutorPieces.run(job, piece));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw e;
        } catch (Exception e) { // SparkException is checked, thrown from Scala undeclared
            // Spark's exceptions carry the executor's stack trace in their message: keep the first line
            throw new IllegalStateException("the Spark job failed (the pieces done are kept; a rerun resumes): "
                    + OneLine.of(firstLine(e)), e);
        }
    }

    /** The job's Spark settings: spark-submit's and the user's first, then what PersonaScope's executors need. */
    private SparkConf conf(PieceJob job) {
        SparkConf conf = new SparkConf(); // spark.* system properties: what spark-submit set
        if (SUBMIT.equals(master)) {
            if (!conf.contains("spark.master")) {
                throw new IllegalArgumentException("--spark submit: no master given (run the jar with spark-submit --master"
                        + " ..., or give the master: --spark local[2] / spark://host:7077)");
            }
        } else {
            conf.setMaster(master);
        }
        conf.setIfMissing("spark.app.name", "personascope " + String.join(" ", job.args().subList(0,
                Math.min(2, job.args().size()))));
        settings.forEach(conf::set);
        conf.setIfMissing("spark.executorEnv.THP_MEM_ALLOC_ENABLE", System.getenv().getOrDefault("THP_MEM_ALLOC_ENABLE", "1"));
        Path code = codeSource();
        if (code != null && Files.isRegularFile(code)) {
            if (!conf.contains("spark.jars") || !conf.get("spark.jars").contains(code.getFileName().toString())) {
                String jars = conf.get("spark.jars", "");
                conf.set("spark.jars", jars.isEmpty() ? code.toString() : jars + "," + code);
            }
        } else {
            // classes in a folder (a development build or the tests): executors on this machine read the same class path
            conf.setIfMissing("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        }
        return conf;
    }

    private static Path codeSource() {
        try {
            return Path.of(PieceJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
