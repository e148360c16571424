package dev.personascope.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class OneLineTest {
    @Test
    void escapesLineBreaksAndControlCharacters() {
        assertEquals("field 'a\\nb\\r' is set", OneLine.of("field 'a\nb\r' is set"));
        assertEquals("x\\u0000y\\u2028z\tw", OneLine.of("x\u0000y\u2028z\tw"));
    }

    @Test
    void leavesAPlainLineAsItIs() {
        String s = "cfg.json: field 'd_in' must be a positive integer, got -1 (ü, 日本)";
        assertSame(s, OneLine.of(s));
    }
}
