/**
 * Jobs split into independent pieces ({@link dev.personascope.work.Pieces}) that run in this process or on a
 * cluster ({@link dev.personascope.work.PieceRunner}, Apache Spark in {@code dev.personascope.spark}): each piece
 * derives its seed from what it is, not from when or where it runs, writes its output atomically under a name fixed
 * by the piece, and is skipped when that output exists, so retries leave no duplicates, a rerun resumes, and any
 * number of executors writes the same bytes as one process. Uses util.
 */
package dev.personascope.work;
