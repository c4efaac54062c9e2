//! Word lists the demo company is made of.

pub const PARTNER_PREFIXES: &[&str] = &[
    "Apex",
    "Brightpath",
    "Cobalt",
    "Driftwood",
    "Evergreen",
    "Foxglove",
    "Granite",
    "Harbor",
    "Ironbridge",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Northstar",
    "Oakridge",
    "Pinnacle",
    "Quarry",
    "Redwood",
    "Summit",
    "Tidewater",
];

pub const PARTNER_SUFFIXES: &[&str] = &[
    "Cloud Partners",
    "Consulting",
    "Digital",
    "Solutions",
    "Systems",
    "Advisory",
    "Labs",
    "Integrations",
    "Group",
    "Networks",
    "Technologies",
    "Ventures",
    "Alliance",
    "Data",
    "Works",
];

pub const ACCOUNT_FIRST: &[&str] = &[
    "Acme",
    "Blue Harbor",
    "Cascade",
    "Delta",
    "Emerald",
    "Fairview",
    "Golden Gate",
    "Highland",
    "Initech",
    "Jetstream",
    "Kestrel",
    "Lakeside",
    "Maplewood",
    "Nimbus",
    "Orion",
    "Pioneer",
    "Quantum",
    "Riverbend",
    "Silverline",
    "Trinity",
    "Umbra",
    "Vertex",
    "Westfield",
    "Zenith",
];

pub const ACCOUNT_SECOND: &[&str] = &[
    "Logistics",
    "Health",
    "Financial",
    "Retail",
    "Manufacturing",
    "Energy",
    "Media",
    "Insurance",
    "Foods",
    "Biotech",
    "Airlines",
    "Bank",
    "Motors",
    "Hotels",
    "Telecom",
];

pub const PRODUCTS: &[&str] = &[
    "Platform subscription",
    "Enterprise expansion",
    "Analytics add-on",
    "Multi-year renewal",
    "Security bundle",
    "Data connector pack",
    "Premium support",
    "New business unit rollout",
];

pub const REGIONS: &[&str] = &["North America", "EMEA", "APAC", "LATAM"];

pub const CONTACT_FIRST: &[&str] = &[
    "Alex", "Priya", "Jordan", "Mei", "Samuel", "Laura", "Diego", "Hannah", "Omar", "Chloe",
    "Kenji", "Sofia", "Marcus", "Aisha", "Lukas", "Grace",
];

pub const CONTACT_LAST: &[&str] = &[
    "Nguyen", "Patel", "Okafor", "Schmidt", "Rossi", "Kim", "Johnson", "Silva", "Haddad", "Larsen",
    "Moreau", "Tanaka",
];

pub const TOUCHPOINT_NOTES: &[&str] = &[
    "Joint discovery call with the account team",
    "Partner ran the technical deep-dive",
    "Intro to the economic buyer",
    "Shared a reference customer",
    "Co-presented the business case",
    "Helped scope the implementation",
];

pub const DISPUTE_REASONS: &[&str] = &[
    "We introduced this account months before the other partner was involved.",
    "The commission was calculated on the first-year amount, not the full contract.",
    "Our deal registration was approved but the payout is missing.",
    "The commission rate should reflect our gold tier, not silver.",
];
