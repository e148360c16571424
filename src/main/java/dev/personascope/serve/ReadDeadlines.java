package dev.personascope.serve;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server's executor: a bounded pool whose every exchange must have read its request (line, headers, body)
 * within a deadline. The JDK server reads from a blocking socket channel on the pool thread, so a thread that
 * passes its deadline is interrupted, which closes the channel and frees the thread. Past the pool and its queue (1024),
 * new connections are closed.
 */
final class ReadDeadlines implements Executor {
    private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();
    private static final ThreadLocal<ReadDeadlines> OWNER = new ThreadLocal<>();
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService timer;
    private final long timeoutMillis;

    ReadDeadlines(int threads, long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1024), r -> daemon(r, "personascope-http"),
                new ThreadPoolExecutor.AbortPolicy());
        this.pool.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "personascope-http-deadline"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void execute(Runnable exchange) {
        pool.execute(() -> {
            Deadline d = new Deadline(Thread.currentThread());
            d.future = timer.schedule(d::expire, timeoutMillis, TimeUnit.MILLISECONDS);
            CURRENT.set(d);
            OWNER.set(this);
            try {
                exchange.run();
            } finally {
                d.finish();
                CURRENT.remove();
                OWNER.remove();
                Thread.interrupted();
            }
        });
    }

    /** Ends the current exchange's read deadline (its request is read); throws if it had already passed. */
    static void requestRead() throws IOException {
        Deadline d = CURRENT.get();
        if (d != null && !d.finish()) {
            throw new IOException("the request was not read within its deadline");
        }
    }

    /** A write to the client. */
    interface Write {
        void run() throws IOException;
    }

    /**
     * Runs a write to the client with the same deadline: a client that stops reading its answer (so that the
     * write blocks, for instance while a stream holds the model) has its connection closed when it passes.
     */
    static void write(Write write) throws IOException {
        ReadDeadlines owner = OWNER.get();
        if (owner == null) {
            write.run();
            return;
        }
        Deadline d = new Deadline(Thread.currentThread());
        d.future = owner.timer.schedule(d::expire, owner.timeoutMillis, TimeUnit.MILLISECONDS);
        boolean ok = false;
        try {
            write.run();
            ok = true;
        } finally {
            if (!d.finish()) {
                Thread.interrupted();
                if (ok) {
                    throw new IOException("the client did not read its answer within " + owner.timeoutMillis + " ms");
                }
            }
        }
    }

    void shutdownNow() {
        timer.shutdownNow();
        pool.shutdownNow();
    }

    private static final class Deadline {
        private final Thread thread;
        private ScheduledFuture<?> future;
        private int state; // 0 reading, 1 read, 2 expired

        Deadline(Thread thread) {
            this.thread = thread;
        }

        synchronized void expire() {
            if (state == 0) {
                state = 2;
                thread.interrupt();
            }
        }

        synchronized boolean finish() {
            future.cancel(false);
            if (state == 0) {
                state = 1;
            }
            return state == 1;
        }
    }
}
