// Membership of group conversations: the admin-signed, hash-chained op log (ADR 0004).
export { ROLES, MEMBERSHIP_LIMITS, isAdminOp } from './member-op.js';
export type { Role, MemberOp, MemberOpBody, MemberOpType } from './member-op.js';
export { encodeMemberOp, decodeMemberOp, memberOpHash } from './member-op-codec.js';
export { groupConversationId } from './group-conversation-id.js';
export { createMembershipLog } from './membership-log.js';
export type { MembershipLog, MembershipLogOptions, MembershipState, ReceiveStatus } from './membership-log.js';
export type { MemberInfo } from './membership-rules.js';
