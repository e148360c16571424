/**
 * The command line (picocli): each command wires the layers below it. May use every package.
 */
package dev.personascope.cli;
