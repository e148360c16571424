/**
 * The demo's HTML report built from the stages' outputs. Uses eval, persona, report and util.
 */
package dev.personascope.demo;
