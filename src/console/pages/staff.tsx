import { STAFF_ROLES } from '../../../db/database';
import type { StaffMember } from '../../staff/queries';
import type { InvitationView } from '../../staff/invitations';
import { formatInstant } from '../i18n';
import { ConsolePage, Csrf, ErrorSummary, Field, SelectField, Frame } from '../layout';

export type InviteField = 'name' | 'email' | 'role';

export interface StaffPageProps {
  frame: Frame;
  staff: StaffMember[];
  invitations: InvitationView[];
  /** What went wrong, each linking to the form it concerns. */
  errors: Array<{ field: string; message: string }>;
  invite: { values: Partial<Record<InviteField, string>>; errors: Partial<Record<InviteField, string>> };
}

/** The staff with their roles (a form per person), removal, the invitation form and the open invitations. */
export function StaffPage(props: StaffPageProps) {
  const { frame } = props;
  const { m, csrf, staffUserId, organization } = frame.session;
  const a = m.admin;
  return (
    <ConsolePage {...frame} title={a.staffTitle}>
      <ErrorSummary m={m} errors={props.errors} />
      <p>{a.staffIntro}</p>
      <table class="stack" aria-label={a.staffTitle}>
        <thead>
          <tr>
            <th scope="col">{a.staffName}</th>
            <th scope="col">{a.staffEmail}</th>
            <th scope="col">{a.staffRoles}</th>
            <th scope="col">{a.staffActions}</th>
          </tr>
        </thead>
        <tbody>
          {props.staff.map((person) => (
            <tr id={`staff-${person.id}`}>
              <th scope="row">
                {person.name} {person.id === staffUserId ? a.staffYou : null}
              </th>
              <td data-label={a.staffEmail}>{person.email}</td>
              <td data-label={a.staffRoles}>
                <form method="post" action={`/console/staff/${person.id}/roles`}>
                  <Csrf token={csrf} />
                  <fieldset class="bare">
                    <legend class="visually-hidden">{a.staffSaveRolesOf(person.name)}</legend>
                    {STAFF_ROLES.map((role) => (
                      <div class="check">
                        <input type="checkbox" id={`role-${person.id}-${role}`} name={role} value="yes" checked={person.roles.includes(role)} />
                        <label for={`role-${person.id}-${role}`}>{m.roles[role]}</label>
                      </div>
                    ))}
                  </fieldset>
                  <button type="submit" class="secondary" aria-label={a.staffSaveRolesOf(person.name)}>
                    {a.staffSaveRoles}
                  </button>
                </form>
              </td>
              <td data-label={a.staffActions}>
                <form method="post" action={`/console/staff/${person.id}/remove`}>
                  <Csrf token={csrf} />
                  <button type="submit" class="warning" aria-label={a.staffRemoveOf(person.name)}>
                    {a.staffRemove}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="invite">{a.staffInviteLegend}</h2>
      <form method="post" action="/console/staff" novalidate>
        <Csrf token={csrf} />
        <Field id="name" label={a.staffInviteName} value={props.invite.values.name} error={props.invite.errors.name} autocomplete="off" />
        <Field id="email" label={a.staffInviteEmail} type="email" value={props.invite.values.email} error={props.invite.errors.email} autocomplete="off" />
        <SelectField id="role" label={a.staffInviteRole} value={props.invite.values.role ?? 'organizer'} error={props.invite.errors.role} options={STAFF_ROLES.map((role) => ({ value: role, label: m.roles[role] }))} />
        <div class="actions">
          <button type="submit">{a.staffInviteSend}</button>
        </div>
      </form>
      <h2>{a.staffInvitations}</h2>
      {props.invitations.length === 0 ? (
        <p>{a.staffInvitationsNone}</p>
      ) : (
        <ul class="calls">
          {props.invitations.map((invitation) => (
            <li class="panel">
              <p>
                {a.staffInvitationLine(invitation.name, m.roles[invitation.role], formatInstant(m, invitation.expiresAt, organization.timeZone))} · {invitation.email}
              </p>
              <form method="post" action={`/console/staff/invitations/${invitation.id}/withdraw`}>
                <Csrf token={csrf} />
                <button type="submit" class="secondary" aria-label={a.staffWithdrawOf(invitation.name)}>
                  {a.staffWithdraw}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </ConsolePage>
  );
}
