// What the server knows about, as the pages need it (kept in the server's order).

// The facility kinds of src/domain/kind.rs.
export const KINDS = ['school', 'kindergarten', 'playground', 'pitch', 'skatepark', 'fitness_station',
  'track', 'sports_hall', 'library', 'culture_house', 'youth_club', 'community_centre', 'park'];

// The walking profiles of src/domain/profile.rs.
export const PROFILES = ['walk', 'slow', 'wheelchair'];

// The activity categories of src/domain/activity.rs (issue 6), in its order.
export const CATEGORIES = ['sport', 'outdoor', 'music', 'arts_crafts', 'culture', 'games_tech', 'youth_club',
  'homework_help', 'language_cafe', 'seniors', 'families', 'meeting_place'];

// The organisation kinds of src/domain/activity.rs (OrgKind).
export const ORG_KINDS = ['volunteer_organisation', 'municipality', 'sports_club', 'business'];

// Residents' proposals (docs/PARTICIPATION.md, src/participation.rs): categories (the facility
// kinds, then the others), the public status path and the moderation states.
export const PROPOSAL_CATEGORIES = [...KINDS, 'safety', 'paths_lighting', 'meeting_place', 'activity_idea', 'other'];
export const PROPOSAL_STATUSES = ['received', 'under_consideration', 'planned', 'done', 'not_possible'];
export const PROPOSAL_STATES = ['unconfirmed', 'pending', 'published', 'rejected', 'merged'];

export const EMPTY = { type: 'FeatureCollection', features: [] };

// The server's problems (RFC 9457) are read and said in the page's language by ./problems.js.
