package dev.personascope.util;

import java.util.ArrayDeque;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Makes items on a daemon thread ahead of their consumer. Items come out in the order they were made (the n-th
 * {@link #take} returns the n-th result of the producer, whatever the timing), so a deterministic producer gives the
 * same sequence as calling it in place. The producer pauses while the items waiting weigh {@code budget} or more. A
 * failure of the producer is thrown again by the take that would have returned its item.
 */
public final class Prefetcher<T> implements AutoCloseable {
    private final ArrayDeque<T> ready = new ArrayDeque<>();
    private final ToLongFunction<T> weight;
    private final long budget;
    private final Thread thread;
    private long waiting;
    private Throwable failure;
    private boolean closed;

    public Prefetcher(String name, long budget, ToLongFunction<T> weight, Supplier<T> producer) {
        this.budget = budget;
        this.weight = weight;
        this.thread = new Thread(() -> produce(producer), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void produce(Supplier<T> producer) {
        try {
            while (true) {
                synchronized (this) {
                    while (!closed && waiting >= budget) {
                        wait();
                    }
                    if (closed) {
                        return;
                    }
                }
                T item = producer.get();
                synchronized (this) {
                    ready.add(item);
                    waiting += weight.applyAsLong(item);
                    notifyAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                failure = e;
                notifyAll();
            }
        }
    }

    /** The next item, waiting for the producer when it is not made yet. */
    public synchronized T take() {
        while (ready.isEmpty()) {
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (closed) {
                throw new IllegalStateException("the prefetcher is closed");
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the producer", e);
            }
        }
        T item = ready.poll();
        waiting -= weight.applyAsLong(item);
        notifyAll();
        return item;
    }

    /** Stops the producer after the item it is making, and waits for that. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
