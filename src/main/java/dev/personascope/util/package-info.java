/**
 * Small helpers every layer may use: atomic file writes, progress bars, folder deletion, JSON error wording, the
 * lower-case names of mode enums. Uses nothing of the project.
 */
package dev.personascope.util;
