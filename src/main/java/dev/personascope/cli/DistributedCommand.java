package dev.personascope.cli;

import dev.personascope.work.Pieces;

/**
 * A command whose work splits into pieces that can run on a cluster ({@link SparkOptions}): an executor parses the
 * command's own arguments ({@link CommandPieces}) and runs pieces of what {@link #pieces()} returns.
 */
interface DistributedCommand {
    /** The command's work as pieces, nothing loaded yet (the options are parsed; this checks them as run() would). */
    Pieces pieces();
}
