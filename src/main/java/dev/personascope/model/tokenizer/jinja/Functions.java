package dev.personascope.model.tokenizer.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;

/** The globals transformers adds to a chat template's environment: raise_exception and strftime_now. */
public final class Functions {
    /** Context key of the moment strftime_now reports (a LocalDateTime), so renders can be reproduced. */
    public static final String NOW = "__personascope_now";

    private Functions() {
    }

    /** {@code raise_exception(msg)}: transformers raises TemplateError(msg). */
    public static String raiseException(Object message) {
        throw new TemplateRuntimeError(String.valueOf(message));
    }

    /** {@code strftime_now(format)}: the current local time formatted with Python's strftime directives. */
    public static String strftimeNow(String format) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        Object now = interpreter == null ? null : interpreter.getContext().get(NOW);
        return strftime(now instanceof LocalDateTime t ? t : LocalDateTime.now(), format);
    }

    /** Python's strftime for the directives chat templates use (C locale names). */
    public static String strftime(LocalDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            out.append(switch (d) {
                case 'Y' -> String.format(Locale.ROOT, "%04d", t.getYear());
                case 'y' -> String.format(Locale.ROOT, "%02d", t.getYear() % 100);
                case 'm' -> String.format(Locale.ROOT, "%02d", t.getMonthValue());
                case 'd' -> String.format(Locale.ROOT, "%02d", t.getDayOfMonth());
                case 'e' -> String.format(Locale.ROOT, "%2d", t.getDayOfMonth());
                case 'H' -> String.format(Locale.ROOT, "%02d", t.getHour());
                case 'I' -> String.format(Locale.ROOT, "%02d", (t.getHour() + 11) % 12 + 1);
                case 'M' -> String.format(Locale.ROOT, "%02d", t.getMinute());
                case 'S' -> String.format(Locale.ROOT, "%02d", t.getSecond());
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'j' -> String.format(Locale.ROOT, "%03d", t.getDayOfYear());
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'F' -> t.format(DateTimeFormatter.ISO_LOCAL_DATE);
                case 'T' -> String.format(Locale.ROOT, "%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
                case '%' -> "%";
                default -> "%" + d;
            });
        }
        return out.toString();
    }
}
