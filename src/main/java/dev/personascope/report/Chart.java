package dev.personascope.report;

/** A chart that renders itself as one self-contained inline SVG element. */
public interface Chart {
    String svg();
}
