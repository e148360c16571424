package dev.personascope.cli;

import dev.personascope.work.PieceSource;
import dev.personascope.work.Pieces;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.util.List;

/** The command line as a {@link PieceSource}: an executor rebuilds a command's pieces from its arguments. */
public final class CommandPieces implements PieceSource {
    static final String NAME = "cli";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Pieces open(List<String> args) {
        ParseResult pr = Main.commandLine().parseArgs(args.toArray(String[]::new));
        while (pr.hasSubcommand()) {
            pr = pr.subcommand();
        }
        Object command = pr.commandSpec().userObject();
        if (!(command instanceof DistributedCommand d)) {
            throw new IllegalArgumentException("'" + pr.commandSpec().qualifiedName() + "' does not run in pieces");
        }
        return d.pieces();
    }
}
