package dev.personascope.util;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefetcherTest {
    @Test
    void givesTheProducersItemsInOrderAndStaysWithinItsBudget() throws Exception {
        AtomicInteger made = new AtomicInteger();
        try (Prefetcher<Integer> p = new Prefetcher<>("test", 10, i -> 3, made::getAndIncrement)) {
            Thread.sleep(200); // let it run ahead as far as it may
            int ahead = made.get();
            assertEquals(4, ahead, "stops once 10 or more weigh waiting: 4 items of 3");
            for (int i = 0; i < 50; i++) {
                assertEquals(i, p.take());
            }
        }
    }

    @Test
    void aProducersFailureIsThrownWhereItsItemWouldHaveCome() {
        AtomicInteger made = new AtomicInteger();
        try (Prefetcher<Integer> p = new Prefetcher<>("test", 100, i -> 1, () -> {
            int i = made.getAndIncrement();
            if (i == 2) {
                throw new IllegalArgumentException("bad item " + i);
            }
            return i;
        })) {
            assertEquals(0, p.take());
            assertEquals(1, p.take());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::take);
            assertEquals("bad item 2", e.getMessage());
        }
    }
}
