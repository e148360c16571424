/**
 * Runs a job's pieces ({@link dev.personascope.work.Pieces}) on Apache Spark: {@code local[N]}, a standalone
 * master, or whatever {@code spark-submit} gives (YARN, Kubernetes). The only package that names Spark's classes; its
 * jars are provided by the cluster (or by {@code mvn -Pspark package}), not shaded into PersonaScope's jar. Uses work
 * and util.
 */
package dev.personascope.spark;
