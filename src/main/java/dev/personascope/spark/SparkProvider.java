package dev.personascope.spark;

import dev.personascope.work.ClusterProvider;
import dev.personascope.work.PieceRunner;

import java.util.Map;

/** Apache Spark as the cluster engine; loading this class needs none of Spark's. */
public final class SparkProvider implements ClusterProvider {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public String unavailable() {
        try {
            Class.forName("org.apache.spark.api.java.JavaSparkContext", false, SparkProvider.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "Apache Spark is not on the class path: run under spark-submit, or build its jars with"
                    + " 'mvn -Pspark package' (the launcher then adds target/spark-jars)";
        }
    }

    @Override
    public PieceRunner runner(String master, Map<String, String> settings) {
        return new SparkPieceRunner(master, settings);
    }
}
