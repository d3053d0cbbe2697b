// The org and team pages of the dashboard (issue 16, Build 5; SPEC §3, §9):
//
//   GET  /org                  the viewer's org: members and roles, teams, pending invites
//   POST /org/teams            create a team                  (owners and admins)
//   POST /org/invites          invite by email, optional team: the link is shown once
//   POST /org/invites/revoke   withdraw a pending invite
//   POST /org/create           a person in no org creates one and owns it
//   POST /org/members/role|team|remove   manage a member (owners and admins; store/org_members.h)
//   POST /org/leave            leave the org (not its last owner)
//   GET  /invite/{token}       what the invite is, and how to accept it (invite_page.cc)
//   POST /invite/{token}       join as the signed-in person, or create an account and join
//
// Members who are not owners or admins see the org but get 403 on the management forms (they
// are in the org, so that reveals nothing); anything of another org is 404.
#pragma once

#include <vector>

#include "web/exchange.h"
#include "web/web_context.h"

namespace rm::web {

std::vector<Route> OrgRoutes(const WebContext& ctx);

// The /invite/ prefix route alone (web/invite_page.cc); OrgRoutes includes it.
Route InviteRoute(const WebContext& ctx);

}  // namespace rm::web
