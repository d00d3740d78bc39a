package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DirectBufferPoolTest {

    @Test
    void handsOutDirectBuffersWithinTheBudgetThenHeapBuffersOfTheExactLength() {
        DirectBufferPool pool = new DirectBufferPool(100, 2);
        ByteBuffer a = pool.take(60);
        ByteBuffer b = pool.take(100);
        ByteBuffer c = pool.take(60);
        assertTrue(a.isDirect() && b.isDirect());
        assertEquals(100, a.capacity());
        assertFalse(c.isDirect(), "budget spent");
        assertEquals(60, c.capacity());
        pool.give(c);
        assertEquals(0, pool.idle(), "heap buffers are dropped");
        pool.give(a);
        assertEquals(1, pool.idle());
        a.position(7).limit(9);
        ByteBuffer again = pool.take(10);
        assertSame(a, again);
        assertEquals(0, again.position());
        assertEquals(100, again.limit());
        assertFalse(pool.take(10).isDirect(), "b and a are out: still no third direct buffer");
    }

    @Test
    void blocksLargerThanThePoolsGetHeapBuffers() {
        DirectBufferPool pool = new DirectBufferPool(100, 4);
        ByteBuffer big = pool.take(101);
        assertFalse(big.isDirect());
        assertEquals(101, big.capacity());
        pool.give(big);
        pool.give(null);
        assertEquals(0, pool.idle());
    }
}
