// /org and its management forms (web/org_pages.h). Each POST checks the session's CSRF token
// before anything else, then that the viewer manages the org (all but /org/leave, open to every
// member); the store checks the rest (store/org_members.h for members' roles, teams, removal).
#include "web/org_pages.h"

#include <spdlog/spdlog.h>

#include "store/org_invites.h"
#include "store/org_members.h"
#include "store/org_roster.h"
#include "store/orgs.h"
#include "web/dashboard_page.h"
#include "web/html.h"

namespace rm::web {
namespace {

struct OrgView {
  store::Org org;
  std::vector<store::User> members;
  std::vector<store::Team> teams;
  std::vector<store::OrgInvite> invites;
};

bool Manages(const Viewer& viewer) {
  return viewer.org_role && (*viewer.org_role == "owner" || *viewer.org_role == "admin");
}

std::string TeamName(const std::vector<store::Team>& teams, const std::optional<std::string>& team_id) {
  if (!team_id) return "—";
  for (const store::Team& team : teams) {
    if (team.id == *team_id) return team.name;
  }
  return "—";
}

// The HTTP status a store failure is shown with; unexpected ones are logged.
int StatusOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kPermissionDenied: return 403;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kAlreadyExists:
    case Status::Code::kConflict:
    case Status::Code::kFailedPrecondition: return 409;
    default:
      spdlog::error("web: org page: {}", status.ToString());
      return 503;
  }
}

bool IsOwner(const Viewer& viewer) { return viewer.org_role && *viewer.org_role == "owner"; }

// The hidden fields of a member's form: the CSRF token and whom it is about.
std::string MemberFields(const Viewer& viewer, const store::User& member) {
  return CsrfField(viewer) + "<input type=\"hidden\" name=\"member_id\" value=\"" + Escape(member.id) + "\">";
}

// The roles the viewer may give (the store's rule, shown): only owners make owners or change an
// owner's role. Empty when the viewer may not change this member's role at all.
std::vector<std::string> SettableRoles(const Viewer& viewer, const store::User& member) {
  if (IsOwner(viewer)) return {"member", "admin", "owner"};
  if (member.org_role.value_or("member") == "owner") return {};
  return {"member", "admin"};
}

std::string RoleCell(const Viewer& viewer, const store::User& member) {
  const std::string role = member.org_role.value_or("member");
  const std::vector<std::string> roles = SettableRoles(viewer, member);
  if (!Manages(viewer) || roles.empty()) return Escape(role);
  const std::string who = Escape(member.email);
  std::string html = "<form method=\"post\" action=\"/org/members/role\">" + MemberFields(viewer, member) +
                     "<select name=\"role\" aria-label=\"Role of " + who + "\">";
  for (const std::string& option : roles) {
    html += "<option value=\"" + Escape(option) + "\"" + (option == role ? " selected" : "") + ">" + Escape(option) +
            "</option>";
  }
  return html + "</select> <button type=\"submit\" aria-label=\"Save role of " + who + "\">Save</button></form>";
}

std::string TeamCell(const Viewer& viewer, const OrgView& view, const store::User& member) {
  if (!Manages(viewer)) return Escape(TeamName(view.teams, member.team_id));
  const std::string who = Escape(member.email);
  std::string html = "<form method=\"post\" action=\"/org/members/team\">" + MemberFields(viewer, member) +
                     "<select name=\"team_id\" aria-label=\"Team of " + who + "\"><option value=\"\"" +
                     (member.team_id ? "" : " selected") + ">No team</option>";
  for (const store::Team& team : view.teams) {
    html += "<option value=\"" + Escape(team.id) + "\"" + (member.team_id == team.id ? " selected" : "") + ">" +
            Escape(team.name) + "</option>";
  }
  return html + "</select> <button type=\"submit\" aria-label=\"Save team of " + who + "\">Save</button></form>";
}

// Remove: for managers, on others' rows (one's own row has Leave below the table), and on an
// owner's row only for owners.
std::string RemoveCell(const Viewer& viewer, const store::User& member) {
  if (member.id == viewer.user_id) return "";
  if (!IsOwner(viewer) && member.org_role.value_or("member") == "owner") return "";
  const std::string who = Escape(member.email);
  return "<form method=\"post\" action=\"/org/members/remove\" data-confirm=\"Remove " + who +
         " from the org? They no longer see its shared memories; what they shared stays shared.\">" +
         MemberFields(viewer, member) + "<button type=\"submit\" aria-label=\"Remove " + who +
         " from the org\">Remove</button></form>";
}

std::string MembersTable(const Viewer& viewer, const OrgView& view) {
  std::string html = "<h2>Members</h2><table><thead><tr><th scope=\"col\">Email</th><th scope=\"col\">Role</th>"
                     "<th scope=\"col\">Team</th>" +
                     std::string(Manages(viewer) ? "<th scope=\"col\"><span class=\"who\">Action</span></th>" : "") +
                     "</tr></thead><tbody>";
  for (const store::User& member : view.members) {
    html += "<tr><td>" + Escape(member.email) + "</td><td>" + RoleCell(viewer, member) + "</td><td>" +
            TeamCell(viewer, view, member) + "</td>";
    if (Manages(viewer)) html += "<td>" + RemoveCell(viewer, member) + "</td>";
    html += "</tr>";
  }
  return html + "</tbody></table>";
}

// Every member may leave (the store keeps the last owner).
std::string LeaveForm(const Viewer& viewer, const OrgView& view) {
  const std::string org = Escape(view.org.name);
  return "<form method=\"post\" action=\"/org/leave\" data-confirm=\"Leave " + org +
         "? You no longer see its shared memories; what you shared stays shared with it.\">" + CsrfField(viewer) +
         "<button type=\"submit\" aria-label=\"Leave " + org + " as " + Escape(viewer.email) +
         "\">Leave org</button></form>";
}

std::string TeamsList(const OrgView& view) {
  if (view.teams.empty()) return "<h2>Teams</h2><p>No teams yet.</p>";
  std::string html = "<h2>Teams</h2><ul>";
  for (const store::Team& team : view.teams) html += "<li>" + Escape(team.name) + "</li>";
  return html + "</ul>";
}

std::string InvitesTable(const Viewer& viewer, const OrgView& view) {
  std::string html = "<h2>Pending invites</h2>";
  if (view.invites.empty()) return html + "<p>No pending invites.</p>";
  html += "<table><thead><tr><th>Email</th><th>Team</th><th>Expires</th>" +
          std::string(Manages(viewer) ? "<th><span class=\"who\">Action</span></th>" : "") + "</tr></thead><tbody>";
  for (const store::OrgInvite& invite : view.invites) {
    html += "<tr><td>" + Escape(invite.email.value_or("anyone with the link")) + "</td><td>" +
            Escape(TeamName(view.teams, invite.target_team_id)) + "</td><td>" + Escape(invite.expires_at) + "</td>";
    if (Manages(viewer)) {
      html += "<td><form method=\"post\" action=\"/org/invites/revoke\" data-confirm=\"Revoke this invite?\">" +
              CsrfField(viewer) + "<input type=\"hidden\" name=\"invite_id\" value=\"" + Escape(invite.id) +
              "\"><button type=\"submit\">Revoke</button></form></td>";
    }
    html += "</tr>";
  }
  return html + "</tbody></table>";
}

std::string ManagementForms(const Viewer& viewer, const OrgView& view) {
  std::string team_options = "<option value=\"\">No team</option>";
  for (const store::Team& team : view.teams) {
    team_options += "<option value=\"" + Escape(team.id) + "\">" + Escape(team.name) + "</option>";
  }
  return "<h2>Invite someone</h2><form method=\"post\" action=\"/org/invites\">" + CsrfField(viewer) +
         "<div class=\"row\"><div><label for=\"invite-email\">Email</label><input id=\"invite-email\" name=\"email\" "
         "type=\"email\" required></div><div><label for=\"invite-team\">Team</label><select id=\"invite-team\" "
         "name=\"team_id\">" + team_options + "</select></div></div><button type=\"submit\">Create invite link</button>"
         "<p class=\"who\">The link works once and for 7 days.</p></form>"
         "<h2>Create a team</h2><form method=\"post\" action=\"/org/teams\">" + CsrfField(viewer) +
         "<label for=\"team-name\">Team name</label><input id=\"team-name\" name=\"name\" type=\"text\" required "
         "maxlength=\"200\"><button type=\"submit\">Create team</button></form>";
}

// The org page, with `notice_html` (a message or the new invite's link) above the lists.
Response OrgPage(const WebContext& ctx, const Viewer& viewer, std::string_view notice_html, int status = 200) {
  if (!viewer.org_id) {
    return DashboardPage(viewer, "Org", "org",
                         "<h1>Org</h1>" + std::string(notice_html) +
                             "<p>You are not in an org. Ask an org's owner or admin for an invite link, or create "
                             "one — you become its owner:</p><form method=\"post\" action=\"/org/create\">" +
                             CsrfField(viewer) +
                             "<label for=\"org-name\">Org name</label><input id=\"org-name\" name=\"name\" "
                             "type=\"text\" required maxlength=\"200\"><button type=\"submit\">Create org</button></form>",
                         status);
  }
  OrgView view;
  Status read = ctx.db.Read([&](store::Connection& c) -> Status {
    auto org = store::FindOrgById(c, *viewer.org_id);
    if (!org.ok()) return org.status();
    view.org = std::move(*org);
    auto members = store::ListOrgMembers(c, view.org.id);
    if (!members.ok()) return members.status();
    view.members = std::move(*members);
    auto teams = store::ListTeamsOfOrg(c, view.org.id);
    if (!teams.ok()) return teams.status();
    view.teams = std::move(*teams);
    auto invites = store::ListPendingInvites(c, view.org.id);
    if (!invites.ok()) return invites.status();
    view.invites = std::move(*invites);
    return Status::Ok();
  });
  if (!read.ok()) return DashboardError(viewer, StatusOf(read) == 404 ? 404 : 503, "The org could not be read.");
  std::string body = "<h1>" + Escape(view.org.name) + "</h1>" + std::string(notice_html) +
                     "<p>You are " + Escape(viewer.org_role.value_or("member")) + " of this org.</p>" +
                     MembersTable(viewer, view) + LeaveForm(viewer, view) + TeamsList(view) +
                     InvitesTable(viewer, view);
  if (Manages(viewer)) {
    body += ManagementForms(viewer, view);
  } else {
    body += "<p class=\"who\">Only the org's owners and admins invite people and create teams.</p>";
  }
  return DashboardPage(viewer, view.org.name, "org", body, status);
}

std::string ErrorNotice(std::string_view message) {
  return "<p class=\"error\" role=\"alert\">" + Escape(message) + "</p>";
}

// The checks every management POST shares, in order: signed in, a POST, a readable form, this
// session's CSRF token (before anything is looked at or changed), in an org, owner or admin.
// nullopt: go on with `viewer` and `form`; else the answer.
std::optional<Response> RefuseManagement(const WebContext& ctx, const Request& request, std::optional<Viewer>& viewer,
                                         Form& form) {
  viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "POST") return DashboardError(*viewer, 405, "Use the form on the org page.");
  std::optional<Form> parsed = ParseForm(request.body);
  if (!parsed) return DashboardError(*viewer, 400, "The form could not be read; reload the page and try again.");
  if (!CsrfOk(*viewer, *parsed)) {
    return DashboardError(*viewer, 403, "This form expired or came from another site; reload the page and try again.");
  }
  if (!viewer->org_id) return DashboardError(*viewer, 404, "You are not in an org.");
  if (!Manages(*viewer)) {
    return DashboardError(*viewer, 403, "Only the org's owners and admins manage members, invite people and create teams.");
  }
  form = std::move(*parsed);
  return std::nullopt;
}

Response ShowOrg(const WebContext& ctx, const Request& request) {
  auto viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "GET") return DashboardError(*viewer, 405, "Use GET.");
  return OrgPage(ctx, *viewer, "");
}

// A person in no org creates one and becomes its owner (the same rule as `org create`).
Response CreateOrgPage(const WebContext& ctx, const Request& request) {
  auto viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "POST") return DashboardError(*viewer, 405, "Use the form on the org page.");
  std::optional<Form> form = ParseForm(request.body);
  if (!form || !CsrfOk(*viewer, *form)) {
    return DashboardError(*viewer, 403, "This form expired or came from another site; reload the page and try again.");
  }
  auto org = store::WriteValue<store::Org>(
      ctx.db, [&](store::Connection& c) { return store::CreateOrg(c, form->Get("name"), viewer->user_id); });
  if (!org.ok()) return OrgPage(ctx, *viewer, ErrorNotice(org.status().message()), StatusOf(org.status()));
  return Redirect("/org", 303);
}

Response CreateTeam(const WebContext& ctx, const Request& request) {
  std::optional<Viewer> viewer;
  Form form;
  if (auto refused = RefuseManagement(ctx, request, viewer, form)) return *refused;
  auto team = store::WriteValue<store::Team>(
      ctx.db, [&](store::Connection& c) { return store::CreateTeam(c, *viewer->org_id, form.Get("name")); });
  if (!team.ok()) return OrgPage(ctx, *viewer, ErrorNotice(team.status().message()), StatusOf(team.status()));
  return Redirect("/org", 303);
}

Response CreateInvite(const WebContext& ctx, const Request& request) {
  std::optional<Viewer> viewer;
  Form form;
  if (auto refused = RefuseManagement(ctx, request, viewer, form)) return *refused;
  store::NewOrgInvite invite{*viewer->org_id, form.Get("email"), std::nullopt, viewer->user_id};
  if (!form.Get("team_id").empty()) invite.team_id = form.Get("team_id");
  auto created = store::WriteValue<store::CreatedInvite>(
      ctx.db, [&](store::Connection& c) { return store::CreateOrgInvite(c, invite); });
  if (!created.ok()) return OrgPage(ctx, *viewer, ErrorNotice(created.status().message()), StatusOf(created.status()));
  // The token is in no table: this answer is the only place it is ever shown.
  const std::string url = ctx.options.public_url + "/invite/" + created->token;
  const std::string notice =
      "<section role=\"status\"><p>Invite link for " + Escape(created->invite.email.value_or("anyone")) +
      " — shown only now; send it to them. It works once, until " + Escape(created->invite.expires_at) +
      ".</p><p><code id=\"invite-url\">" + Escape(url) +
      "</code> <button type=\"button\" data-copy=\"invite-url\" hidden>Copy</button></p></section>";
  return OrgPage(ctx, *viewer, notice);
}

Response RevokeInvite(const WebContext& ctx, const Request& request) {
  std::optional<Viewer> viewer;
  Form form;
  if (auto refused = RefuseManagement(ctx, request, viewer, form)) return *refused;
  Status revoked = ctx.db.Write(
      [&](store::Connection& c) { return store::RevokeInvite(c, *viewer->org_id, form.Get("invite_id")); });
  if (!revoked.ok()) {
    return StatusOf(revoked) == 404 ? DashboardError(*viewer, 404, "No such pending invite.")
                                    : DashboardError(*viewer, 503, "The invite could not be revoked; try again.");
  }
  return Redirect("/org", 303);
}

// A member's role, team or removal (owners and admins; the store holds the rules: who may set
// which role, the last owner, members of this org only). A refusal shows the org page with why.
template <typename Change>
Response ChangeMember(const WebContext& ctx, const Request& request, Change change) {
  std::optional<Viewer> viewer;
  Form form;
  if (auto refused = RefuseManagement(ctx, request, viewer, form)) return *refused;
  Status changed = ctx.db.Write([&](store::Connection& c) { return change(c, *viewer, form); });
  if (!changed.ok()) return OrgPage(ctx, *viewer, ErrorNotice(changed.message()), StatusOf(changed));
  return Redirect("/org", 303);
}

Response SetMemberRole(const WebContext& ctx, const Request& request) {
  return ChangeMember(ctx, request, [](store::Connection& c, const Viewer& viewer, const Form& form) {
    return store::SetMemberRole(c, *viewer.org_id, viewer.user_id, form.Get("member_id"), form.Get("role")).status();
  });
}

Response SetMemberTeam(const WebContext& ctx, const Request& request) {
  return ChangeMember(ctx, request, [](store::Connection& c, const Viewer& viewer, const Form& form) {
    std::optional<std::string> team;
    if (!form.Get("team_id").empty()) team = form.Get("team_id");
    return store::SetMemberTeam(c, *viewer.org_id, viewer.user_id, form.Get("member_id"), team).status();
  });
}

Response RemoveMember(const WebContext& ctx, const Request& request) {
  return ChangeMember(ctx, request, [](store::Connection& c, const Viewer& viewer, const Form& form) {
    return store::RemoveMember(c, *viewer.org_id, viewer.user_id, form.Get("member_id"));
  });
}

// Any member leaves their org (not RefuseManagement: no role needed), then lands on /.
Response LeaveOrg(const WebContext& ctx, const Request& request) {
  auto viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "POST") return DashboardError(*viewer, 405, "Use the form on the org page.");
  std::optional<Form> form = ParseForm(request.body);
  if (!form || !CsrfOk(*viewer, *form)) {
    return DashboardError(*viewer, 403, "This form expired or came from another site; reload the page and try again.");
  }
  if (!viewer->org_id) return DashboardError(*viewer, 404, "You are not in an org.");
  Status left = ctx.db.Write([&](store::Connection& c) { return store::LeaveOrg(c, viewer->user_id); });
  if (!left.ok()) return OrgPage(ctx, *viewer, ErrorNotice(left.message()), StatusOf(left));
  return Redirect("/", 303);
}

}  // namespace

std::vector<Route> OrgRoutes(const WebContext& ctx) {
  // Routes outlive this call: they keep a copy of the context (references to the WebApp's store
  // and options, which outlive the routes).
  auto page = [ctx](std::string path, Response (*handler)(const WebContext&, const Request&)) {
    return Route{std::move(path), false, [ctx, handler](const Request& r) { return handler(ctx, r); }};
  };
  return {page("/org", ShowOrg), page("/org/create", CreateOrgPage), page("/org/teams", CreateTeam), page("/org/invites", CreateInvite),
          page("/org/invites/revoke", RevokeInvite), page("/org/members/role", SetMemberRole),
          page("/org/members/team", SetMemberTeam), page("/org/members/remove", RemoveMember),
          page("/org/leave", LeaveOrg), InviteRoute(ctx)};
}

}  // namespace rm::web
