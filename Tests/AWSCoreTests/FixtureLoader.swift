import Foundation
import TestSupport

/// `Tests/AWSCoreTests/Fixtures`.
let fixtures = FixtureFolder(bundle: .module)
