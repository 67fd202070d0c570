import Foundation
import Payloads

/// Encodes series as `MetricsData` JSON, split into several documents when one would exceed
/// `maxBytes` (each document a valid `MetricsData`; a single series larger than the limit goes
/// alone, since a series is never cut).
enum MetricsPayloadEncoder {
    /// `{"series":[]}`: what a document costs besides its series.
    private static let envelopeBytes = 13

    static func encode(_ series: [MetricSeries], maxBytes: Int) throws -> [[UInt8]] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let whole = try encoder.encode(MetricsData(series: series))
        guard whole.count > maxBytes, series.count > 1 else { return [Array(whole)] }

        var documents: [[UInt8]] = []
        var chunk: [MetricSeries] = []
        var chunkBytes = envelopeBytes
        for item in series {
            let itemBytes = try encoder.encode(item).count + 1
            if !chunk.isEmpty, chunkBytes + itemBytes > maxBytes {
                documents.append(Array(try encoder.encode(MetricsData(series: chunk))))
                chunk = []
                chunkBytes = envelopeBytes
            }
            chunk.append(item)
            chunkBytes += itemBytes
        }
        if !chunk.isEmpty { documents.append(Array(try encoder.encode(MetricsData(series: chunk)))) }
        return documents
    }
}
