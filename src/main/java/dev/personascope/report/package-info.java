/**
 * A leaf library for self-contained HTML reports: inline SVG charts (bar, line, histogram, heat map), escaping, page
 * layout. Uses util only.
 */
package dev.personascope.report;
