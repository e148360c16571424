package dev.personascope.util;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;

/** One-line descriptions of JSON parse errors: the reason and where, without Jackson's source dump. */
public final class JsonErrors {
    private JsonErrors() {
    }

    public static String brief(Exception e) {
        if (e instanceof JacksonException j) {
            JsonLocation at = j.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            return j.getOriginalMessage().replace('\n', ' ') + where;
        }
        return String.valueOf(e.getMessage()).replace('\n', ' ');
    }
}
