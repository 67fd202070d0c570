import AWSServices
import Foundation
import Payloads

extension SecurityFinding {
    /// `updatedAt` in epoch milliseconds.
    init(_ finding: SecurityHubFinding, updatedAt: Int64) {
        self.init(
            id: finding.id,
            title: finding.title ?? "",
            severity: Severity(
                label: Self.severityLabel(finding.severity),
                score: finding.severity?.normalized.map { Double(min(100, max(0, $0))) }),
            workflowStatus: finding.workflowStatus ?? finding.workflowState,
            recordState: finding.recordState,
            product: finding.productName ?? finding.productArn.flatMap(Self.product(inProductARN:)),
            generator: finding.generatorId,
            account: finding.awsAccountId,
            region: finding.region,
            complianceStatus: finding.complianceStatus,
            resources: finding.resources.map { Resource(type: $0.type ?? "", id: $0.id ?? "", region: $0.region) },
            createdAt: finding.createdAt.flatMap(PayloadTime.string(from:)) ?? PayloadTime.string(milliseconds: updatedAt),
            updatedAt: PayloadTime.string(milliseconds: updatedAt))
    }

    static let severityLabels: Set<String> = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"]

    /// The finding's label, else the label of its normalized score (ASFF's ranges), else
    /// `INFORMATIONAL`.
    static func severityLabel(_ severity: SecurityHubFinding.Severity?) -> String {
        if let label = severity?.label?.uppercased(), severityLabels.contains(label) { return label }
        switch severity?.normalized ?? 0 {
        case 90...: return "CRITICAL"
        case 70..<90: return "HIGH"
        case 40..<70: return "MEDIUM"
        case 1..<40: return "LOW"
        default: return "INFORMATIONAL"
        }
    }

    /// `company/product` of `arn:aws:securityhub:eu-west-1::product/aws/guardduty` (`aws/guardduty`).
    static func product(inProductARN arn: String) -> String? {
        let resource = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last ?? ""
        guard resource.hasPrefix("product/") else { return nil }
        let product = resource.dropFirst("product/".count)
        return product.isEmpty ? nil : String(product)
    }
}
