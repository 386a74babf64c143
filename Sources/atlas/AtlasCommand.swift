import ArgumentParser
import Atlas

@main
struct AtlasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atlas",
        abstract: "Fine-grained geographic indicators for regional development, as GeoJSON layers and area reports.",
        version: "0.1.0",
        subcommands: [DemoCommand.self, BuildCommand.self, InspectCommand.self, ExportCommand.self, ReportCommand.self, TransitCommand.self, AccessCommand.self, LowIncomeCommand.self, JoinCommand.self, StyleCommand.self, MapCommand.self]
    )
}
