package dev.personascope.model.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the few Jinja2 expression forms that Jinjava's parser reads differently or not at all into
 * equivalent forms it reads as Jinja does. Only code inside {@code {{ }}} and {@code {% %}} is touched
 * (never template text, comments or raw blocks, and never message text, which is data in the context):
 * <ul>
 *   <li>{@code not x in y} means {@code not (x in y)} in Jinja: written {@code x not in y} (likewise
 *       {@code not x == y} as {@code x != y});</li>
 *   <li>keyword arguments whose value is an expression ({@code namespace(n=messages|length - 1)}) are
 *       parenthesised;</li>
 *   <li>slices with computed bounds ({@code messages[:ns.i+1]}) become the {@code py_slice} function;</li>
 *   <li>a backslash before a line break inside a string literal is removed (Python's line continuation);</li>
 *   <li>every printed expression goes through the {@code py_str} function, so values print as Python prints them.</li>
 * </ul>
 */
public final class JinjaSource {
    /** {@code not x in y}, {@code not x == y}, {@code not x != y}: the operand and the operator. */
    private static final Pattern NOT_COMPARISON = Pattern.compile(
            "\\bnot\\s+((?:\u0001\\d+\u0002|-?\\d+|[A-Za-z_][\\w.]*(?:\\[[^\\]\\[]*\\])*))\\s*(\\bin\\b|==|!=)");
    private static final Pattern TIGHT_PLUS = Pattern.compile("(?<=[\\w\\])])\\+(?=[\\w(])");
    private static final Pattern SIMPLE_BOUND = Pattern.compile("\\s*(-?\\d+|[A-Za-z_][\\w.]*)?\\s*");

    private JinjaSource() {
    }

    /** A rewritten template and the loop-filter conditions it refers to by index ({@link LoopFilter}). */
    public record Rewritten(String source, List<String> loopConditions) {
    }

    public static String rewrite(String template) {
        return rewriteWithConditions(template).source();
    }

    public static Rewritten rewriteWithConditions(String template) {
        List<String> conditions = new ArrayList<>();
        StringBuilder out = new StringBuilder(template.length());
        int i = 0;
        int n = template.length();
        while (i < n) {
            if (template.startsWith("{#", i)) {
                int end = template.indexOf("#}", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(template, i, end);
                i = end;
            } else if (template.startsWith("{{", i) || template.startsWith("{%", i)) {
                String close = template.startsWith("{{", i) ? "}}" : "%}";
                int end = codeEnd(template, i + 2, close);
                if (end < 0) {
                    out.append(template.substring(i));
                    break;
                }
                String code = template.substring(i + 2, end);
                String rewritten;
                if (close.equals("%}")) {
                    rewritten = rewriteCode(loopFilter(code, conditions));
                } else {
                    rewritten = printed(rewriteCode(code));
                }
                out.append(template, i, i + 2).append(rewritten).append(close);
                i = end + 2;
                if (close.equals("%}") && code.replaceAll("^[-+]?\\s*", "").startsWith("raw")) {
                    Matcher endRaw = Pattern.compile("\\{%[-+]?\\s*endraw\\s*[-+]?%}").matcher(template);
                    int stop = endRaw.find(i) ? endRaw.end() : n;
                    out.append(template, i, stop);
                    i = stop;
                }
            } else {
                out.append(template.charAt(i++));
            }
        }
        return new Rewritten(out.toString(), conditions);
    }

    private static final Pattern PRINTED = Pattern.compile("^([-+]?)(\\s*)(.*?)(\\s*)([-+]?)$", Pattern.DOTALL);

    /** {@code {{ x }}} prints as Jinja does (True, None, Python reprs): {@code {{ py_str(x) }}} (a call: parentheses could make a tuple). */
    private static String printed(String code) {
        Matcher m = PRINTED.matcher(code);
        if (!m.matches() || m.group(3).isBlank()) {
            return code;
        }
        return m.group(1) + m.group(2) + "py_str(" + m.group(3) + ")" + m.group(4) + m.group(5);
    }

    private static final Pattern FOR_IF = Pattern.compile(
            "^([-+]?\\s*for\\s+)([A-Za-z_]\\w*(?:\\s*,\\s*[A-Za-z_]\\w*)*)(\\s+in\\s+)(.+?)\\s+if\\s+(.+?)(\\s*[-+]?)$", Pattern.DOTALL);

    /** {@code for x in items if cond} → {@code for x in (items)|py_loop_filter('x', n)}, cond kept as conditions[n]. */
    private static String loopFilter(String code, List<String> conditions) {
        Matcher m = FOR_IF.matcher(code);
        if (!m.matches() || m.group(4).contains(" recursive") || m.group(5).contains(" else ")) {
            return code;
        }
        conditions.add(rewriteCode(m.group(5)));
        return m.group(1) + m.group(2) + m.group(3) + "(" + m.group(4) + ")|py_loop_filter('" + m.group(2).replaceAll("\\s", "")
                + "', " + (conditions.size() - 1) + ")" + m.group(6);
    }

    /** The index of {@code close} ending the code that starts at {@code from}, skipping string literals; −1 if none. */
    private static int codeEnd(String s, int from, String close) {
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return -1;
    }

    /** Rewrites one tag's or expression's code; string literals are set aside while the code is rewritten. */
    static String rewriteCode(String code) {
        List<String> literals = new ArrayList<>();
        StringBuilder masked = new StringBuilder();
        char quote = 0;
        int start = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    String lit = code.substring(start, i + 1).replace("\\\n", "");
                    masked.append('\u0001').append(literals.size()).append('\u0002');
                    literals.add(lit);
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                start = i;
            } else {
                masked.append(c);
            }
        }
        if (quote != 0) {
            return code; // an unterminated literal: leave it for the parser to report
        }
        // Jinja's "not" binds looser than comparisons; Jinjava's binds tighter
        String s = NOT_COMPARISON.matcher(masked.toString()).replaceAll(r -> r.group(1) + switch (r.group(2)) {
            case "==" -> " !=";
            case "!=" -> " ==";
            default -> " not in";
        });
        // Jinjava's scanner misreads "a+1" (no spaces) after a property; spaced, it reads it as Jinja does
        s = TIGHT_PLUS.matcher(s).replaceAll(" + ");
        String keyword = s.replaceFirst("^[-+]?\\s*", "");
        if (!keyword.startsWith("macro") && !keyword.startsWith("call")) { // Jinjava parses these signatures itself
            s = parenthesiseKeywordValues(s);
        }
        s = slices(s);
        StringBuilder out = new StringBuilder();
        Matcher m = Pattern.compile("\u0001(\\d+)\u0002").matcher(s);
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(literals.get(Integer.parseInt(m.group(1)))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code f(a=x - 1, b=y)} → {@code f(a=(x - 1), b=(y))}: Jinjava binds {@code a=x} before the operator. */
    private static String parenthesiseKeywordValues(String s) {
        Matcher kw = Pattern.compile("([(,]\\s*)([A-Za-z_]\\w*)\\s*=(?!=)").matcher(s);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (kw.find(last)) {
            int valueStart = kw.end();
            int valueEnd = argumentEnd(s, valueStart);
            if (valueEnd < 0) {
                break;
            }
            out.append(s, last, valueStart).append('(').append(s, valueStart, valueEnd).append(')');
            last = valueEnd;
        }
        return out.append(s.substring(last)).toString();
    }

    /** Where an argument starting at {@code from} ends: the next ',' or ')' at depth 0; −1 if unbalanced. */
    private static int argumentEnd(String s, int from) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    return c == ')' ? i : -1;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code x[a:b]} with a computed bound or a step → {@code py_slice(x, a, b[, step])} (a call, so that more
     * subscripts may follow it); simple slices stay, Jinjava reads them.
     */
    private static String slices(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '[' && i > 0 && isSubscriptable(s.charAt(i - 1))) {
                int close = matching(s, i);
                if (close > 0) {
                    String inner = s.substring(i + 1, close);
                    List<String> parts = topLevelSplit(inner, ':');
                    if (parts.size() == 3 || parts.size() == 2 && !(SIMPLE_BOUND.matcher(parts.get(0)).matches()
                            && SIMPLE_BOUND.matcher(parts.get(1)).matches())) {
                        int start = primaryStart(out);
                        String object = out.substring(start);
                        out.setLength(start);
                        out.append("py_slice(").append(object).append(", ").append(bound(parts.get(0))).append(", ")
                                .append(bound(parts.get(1)));
                        out.append(", ").append(parts.size() == 3 ? bound(parts.get(2)) : "none").append(')');
                        i = close + 1;
                        continue;
                    }
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Where the primary expression that ends the buffer begins: a name with attributes, calls and subscripts. */
    private static int primaryStart(StringBuilder b) {
        int i = b.length();
        while (i > 0) {
            char c = b.charAt(i - 1);
            if (c == ']' || c == ')') {
                int depth = 0;
                int j = i - 1;
                for (; j >= 0; j--) {
                    char d = b.charAt(j);
                    if (d == ']' || d == ')') {
                        depth++;
                    } else if (d == '[' || d == '(') {
                        depth--;
                        if (depth == 0) {
                            break;
                        }
                    }
                }
                i = Math.max(j, 0);
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '\u0001' || c == '\u0002') {
                i--;
            } else {
                break;
            }
        }
        return i;
    }

    private static String bound(String b) {
        return b.isBlank() ? "none" : "(" + slices(b) + ")";
    }

    private static boolean isSubscriptable(char before) {
        return Character.isLetterOrDigit(before) || before == '_' || before == ']' || before == ')' || before == '\u0002';
    }

    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[' || c == '(' || c == '{') {
                depth++;
            } else if (c == ']' || c == ')' || c == '}') {
                depth--;
                if (depth == 0) {
                    return c == ']' ? i : -1;
                }
            }
        }
        return -1;
    }

    private static List<String> topLevelSplit(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[' || c == '(' || c == '{') {
                depth++;
            } else if (c == ']' || c == ')' || c == '}') {
                depth--;
            } else if (c == sep && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
