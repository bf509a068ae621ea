package service

import (
	"context"
	"errors"

	"github.com/magpie-sns/magpie"
)

// Profile returns the user with this name as the caller sees them.
// ENOTFOUND if there is none, or if it is deactivated and the caller is
// not a superuser.
func (s *Service) Profile(ctx context.Context, caller *magpie.User, username string) (*magpie.Profile, error) {
	if !storable(username) {
		return nil, magpie.Errorf(magpie.ENOTFOUND, msgUserNotFound)
	}
	p, err := s.store.Profile(ctx, caller.ID, username)
	if errors.Is(err, magpie.ErrNotFound) || err == nil && !p.IsActive && !caller.IsSuperuser {
		return nil, magpie.Errorf(magpie.ENOTFOUND, msgUserNotFound)
	}
	return p, err
}

// UserPosts lists the posts of the user with this name, newest first:
// the hidden ones too if the caller is that user or a superuser.
// ENOTFOUND as for Profile.
func (s *Service) UserPosts(ctx context.Context, caller *magpie.User, username string, page magpie.Page) (List[magpie.Post], error) {
	owner, err := s.Profile(ctx, caller, username)
	if err != nil {
		return List[magpie.Post]{}, err
	}
	withHidden := caller.IsSuperuser || caller.ID == owner.ID
	return list(page, func(p magpie.Page) ([]magpie.Post, error) {
		return s.store.ListPostsByOwner(ctx, caller.ID, owner.ID, withHidden, p)
	}, postCursor)
}

// ProfileEdit changes the caller's profile; a nil field is left as it is.
type ProfileEdit struct {
	DisplayName *string
	Bio         *string
}

// Validate returns what is wrong with the fields given; it is empty if
// nothing is.
func (in ProfileEdit) Validate() magpie.FieldErrors {
	fe := magpie.FieldErrors{}
	if in.DisplayName != nil {
		validateDisplayName(fe, *in.DisplayName)
	}
	if in.Bio != nil {
		validateBio(fe, *in.Bio)
	}
	return fe
}

// EditProfile changes the caller's display name and bio, cleaned (NFC,
// no control or bidi-override characters), and returns the caller as they
// now are. EINVALID if a field breaks a rule.
func (s *Service) EditProfile(ctx context.Context, caller *magpie.User, in ProfileEdit) (*magpie.User, error) {
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	upd := magpie.ProfileUpdate{}
	if in.DisplayName != nil {
		name := cleanText(*in.DisplayName, false)
		upd.DisplayName = &name
	}
	if in.Bio != nil {
		bio := cleanText(*in.Bio, true)
		upd.Bio = &bio
	}
	u, err := s.store.UpdateProfile(ctx, caller.ID, upd)
	if err != nil {
		return nil, err
	}
	s.publish(ctx, magpie.ProfileUpdated{User: *u})
	return u, nil
}

// ChangePassword replaces the caller's password if current is right. The
// token the session came with keeps working; every other is revoked, on
// every instance. EINVALID if current is wrong (on "current_password") or
// the new one is weak; ELIMITED and EUNAVAILABLE as for a login.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, current, next string) error {
	if err := s.confirmPassword(ctx, sess, current, "current_password"); err != nil {
		return err
	}
	fe := magpie.FieldErrors{}
	validatePassword(fe, next, sess.User.Username)
	if len(fe["password"]) > 0 {
		return magpie.FieldErrors{"new_password": fe["password"]}.Err()
	}
	hash, err := s.passwords.Hash(ctx, next)
	if err != nil {
		return passwordError(err)
	}
	if err := s.store.SetPassword(ctx, sess.User.ID, hash, sess.tokenHash); err != nil {
		return err
	}
	s.publish(ctx, magpie.PasswordChanged{UserID: sess.User.ID})
	return nil
}

// DeleteAccount deletes the caller's account and everything it owns, in
// one transaction, if password is theirs: posts (with their comments and
// likes), comments, likes, follows both ways and tokens. Its username is
// free again. EINVALID if the password is wrong (on "password").
func (s *Service) DeleteAccount(ctx context.Context, sess *Session, password string) error {
	if err := s.confirmPassword(ctx, sess, password, "password"); err != nil {
		return err
	}
	if err := s.store.DeleteUser(ctx, sess.User.ID); err != nil {
		return err
	}
	s.publish(ctx, magpie.UserDeleted{UserID: sess.User.ID})
	return nil
}

// confirmPassword checks that password is the caller's, before a change
// to their account; a wrong one is a field error on field, counted as a
// failed login.
func (s *Service) confirmPassword(ctx context.Context, sess *Session, password, field string) error {
	_, err := s.checkPassword(ctx, Credentials{Username: sess.User.Username, Password: password}, false)
	if magpie.IsKind(err, magpie.EUNAUTHORIZED) {
		return magpie.FieldErrors{field: {msgWrongPassword}}.Err()
	}
	return err
}

// SetActive deactivates or reactivates the user with this name: a
// deactivated user cannot log in, its tokens stop working, and its posts
// leave every list and feed until it is active again. EFORBIDDEN unless
// the caller is a superuser, ENOTFOUND if there is no such user, EINVALID
// for the caller's own account.
func (s *Service) SetActive(ctx context.Context, caller *magpie.User, username string, active bool) error {
	if !caller.IsSuperuser {
		return magpie.Errorf(magpie.EFORBIDDEN, msgForbidden)
	}
	u, err := s.userByName(ctx, username)
	if err != nil {
		return err
	}
	if u.ID == caller.ID {
		return magpie.Errorf(magpie.EINVALID, msgDeactivateSelf)
	}
	if err := s.store.SetActive(ctx, u.ID, active); err != nil {
		return err
	}
	s.publish(ctx, magpie.UserActivated{UserID: u.ID, Active: active})
	return nil
}
