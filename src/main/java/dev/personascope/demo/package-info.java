/**
 * The demo's HTML report built from the stages' outputs, and its sizes. Uses experiment, eval, persona, report and
 * util.
 */
package dev.personascope.demo;
